import { stat } from 'node:fs/promises';
import type { LoadResult } from '../config/load.js';
import { liveConfigProblem } from '../config/live-check.js';
import type { ConfigIssue, LoadedConfig } from '../config/types.js';
import type { Logger } from '../shared/log.js';
import type { GatewayState, ReloadStatus } from './state.js';

export interface Reloader {
  /** Re-read the config now. Concurrent calls coalesce: at most one more load runs after the current one. */
  reload(reason: string): Promise<ReloadStatus>;
}

export interface ReloaderOptions {
  state: GatewayState;
  log: Logger;
  /** Reads and validates the config (the same file, environment and `--port` the daemon started with). */
  load: () => Promise<LoadResult>;
  /** Host and port the server listens with: a change to either only takes effect after a restart. */
  listen: { host: string; port: number };
  /** The files `load` reads (config, `.env`): a load that overlapped a write to them is done again. */
  files: () => string[];
  /** Called after a valid config has been swapped in. */
  onSwap?: (loaded: LoadedConfig) => void;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_ATTEMPTS = 10;
const SETTLE_MS = 100;

/**
 * Hot reload: load, validate, and swap the config in as one reference (requests keep the snapshot
 * they started with). An invalid file leaves the old config serving and is reported in
 * `lastReload`. A file that changed while it was being read is read again, so a half-written
 * file (an editor or script writing in place) is never swapped in.
 */
export function createReloader(opts: ReloaderOptions): Reloader {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let running: Promise<ReloadStatus> | undefined;
  let queued: Promise<ReloadStatus> | undefined;

  async function loadSettled(): Promise<LoadResult> {
    let result: LoadResult | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const before = await signature(opts.files());
      // An empty config file is most often one being rewritten in place: give the writer a moment.
      if (before.startsWith('0:') && attempt < 3) {
        await sleep(SETTLE_MS);
        continue;
      }
      // A file still being written changes within a short settle: read only one that holds still.
      await sleep(SETTLE_MS);
      if ((await signature(opts.files())) !== before) continue;
      result = await opts.load();
      const problem = await livePathProblem(result);
      if ((await signature(opts.files())) === before)
        return problem ? { ok: false, errors: [problem] } : result;
      await sleep(SETTLE_MS);
    }
    return result ?? opts.load();
  }

  /** A file the daemon was serving from that is now empty, comment-only or without `litellm:`. */
  async function livePathProblem(result: LoadResult): Promise<ConfigIssue | undefined> {
    const serving = opts.state.loaded.path;
    if (serving === undefined) return undefined; // started on the embedded defaults: any file is news
    return liveConfigProblem((result.ok ? result.loaded.path : undefined) ?? serving);
  }

  async function run(reason: string): Promise<ReloadStatus> {
    const { state, log } = opts;
    let result: LoadResult;
    try {
      result = await loadSettled();
    } catch (e) {
      result = { ok: false, errors: [{ path: '(config)', message: (e as Error).message }] };
    }
    if (!result.ok) {
      state.reloadFailed(result.errors);
      log.warn(
        { reason, errors: result.errors.map((e) => `${e.path}: ${e.message}`), generation: state.generation },
        'config reload failed; the previous config keeps serving',
      );
      return state.lastReload;
    }
    const next = result.loaded.config;
    const needsRestart: string[] = [];
    if (next.port !== opts.listen.port) needsRestart.push(`port ${opts.listen.port} -> ${next.port}`);
    if (next.host !== opts.listen.host) needsRestart.push(`host ${opts.listen.host} -> ${next.host}`);
    state.setConfig(result.loaded, needsRestart);
    opts.onSwap?.(result.loaded);
    log.info(
      {
        reason,
        generation: state.generation,
        models: next.models.length,
        config: result.loaded.path ?? '(embedded defaults)',
        ...(needsRestart.length ? { needs_restart: needsRestart } : {}),
      },
      needsRestart.length ? 'config reloaded; restart to apply the listen address' : 'config reloaded',
    );
    return state.lastReload;
  }

  function reload(reason: string): Promise<ReloadStatus> {
    if (!running) {
      running = run(reason).finally(() => {
        running = undefined;
      });
      return running;
    }
    const again = (): Promise<ReloadStatus> => {
      queued = undefined;
      return reload(reason);
    };
    queued ??= running.then(again, again);
    return queued;
  }

  return { reload };
}

/** Size, inode and times of each file: `0:` first when the first file exists and is empty. */
async function signature(files: string[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) {
    try {
      const s = await stat(f, { bigint: true });
      parts.push(`${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}`);
    } catch {
      parts.push('-');
    }
  }
  return parts.join('|');
}
