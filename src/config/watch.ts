import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { watch } from 'chokidar';
import type { Logger } from '../shared/log.js';

export interface ConfigWatcher {
  /** Resolves once the initial scan is done (changes before it may be missed). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_DEBOUNCE_MS = 150;

/**
 * Watches a config file and the `.env` beside it. It watches their directory, not the files, so
 * editors that save by writing a temporary file and renaming it over the original keep being seen.
 * A symlinked config is watched at its target too (the `.env` is read beside the link). Bursts of events are debounced into one call.
 */
export function watchConfig(opts: {
  file: string;
  onChange: (changed: string) => void;
  debounceMs?: number;
  log?: Logger;
}): ConfigWatcher {
  const targets = watchTargets(opts.file);
  const dirs = [...new Set([...targets].map((t) => dirname(t)))];
  const watcher = watch(dirs, {
    ignoreInitial: true,
    depth: 0,
    atomic: true,
    ignored: (p: string) => !dirs.includes(p) && !targets.has(resolve(p)),
  });
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  watcher.on('all', (event, p) => {
    const changed = resolve(p);
    if (!targets.has(changed)) return;
    last = changed;
    opts.log?.debug({ event, file: changed }, 'config file event');
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      opts.onChange(last);
    }, opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  });
  watcher.on('error', (e) => opts.log?.warn({ error: (e as Error).message }, 'config watcher error'));
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()));
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await watcher.close();
    },
  };
}

/** The config file and its `.env`, at the path given and, for a symlink, at its target. */
export function watchTargets(file: string): Set<string> {
  const abs = resolve(file);
  const out = new Set([abs, join(dirname(abs), '.env')]);
  try {
    const real = realpathSync(abs);
    if (real !== abs) out.add(real);
  } catch {
    // The file does not exist (yet): watch the path as given.
  }
  return out;
}
