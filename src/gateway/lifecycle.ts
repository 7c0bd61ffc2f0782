import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { LoadedConfig } from '../config/types.js';
import { watchConfig, type ConfigWatcher } from '../config/watch.js';
import type { Logger } from '../shared/log.js';
import { configCandidates } from '../shared/paths.js';
import { removeState, writeState, type DaemonState } from '../shared/state-file.js';
import { VERSION } from '../shared/version.js';
import { DEFAULT_GRACE_MS, startGateway, type Gateway } from './daemon.js';
import { createReloader, type Reloader } from './reload.js';
import { unpricedBudgetIssues } from './usage/unpriced.js';

export interface ServeOptions {
  loaded: LoadedConfig;
  log: Logger;
  /** The environment reloads read; `.env` values are re-read from the file each time. */
  env: NodeJS.ProcessEnv;
  /** `--port`, kept across reloads (it wins over the file). */
  portOverride?: number;
  /** `<state dir>/litellm.json`: written once listening, removed after the drain. */
  stateFile?: string;
  /** Keep serving when the state file cannot be written (foreground), instead of failing. */
  stateFileOptional?: boolean;
  /** Watch the config file and its `.env` (default true). */
  watch?: boolean;
  /** Handle SIGTERM/SIGINT (drain and stop) and SIGHUP (reload) (default true). */
  signals?: boolean;
  graceMs?: number;
}

export interface ServingGateway {
  gateway: Gateway;
  reloader: Reloader;
  /** Stop accepting, let in-flight requests finish up to the grace period, remove the state file. */
  stop(reason?: string): Promise<void>;
  /** Resolves once stopped, whoever asked. */
  stopped: Promise<void>;
}

/**
 * A gateway with the process around it, shared by the detached daemon and `start --foreground`:
 * the state file, hot reload from the watched config file and SIGHUP, and a bounded graceful stop
 * on SIGTERM/SIGINT (a second signal cuts the remaining connections).
 */
export async function serveGateway(opts: ServeOptions): Promise<ServingGateway> {
  const { log, env, stateFile } = opts;
  // The spend ledger lives in the state dir, beside the state file.
  const gateway = await startGateway(opts.loaded, { log, stateDir: stateFile ? dirname(stateFile) : null });
  let configPath = opts.loaded.path;
  const watchedPath = (): string => configPath ?? configCandidates(env)[0];

  let watcher: ConfigWatcher | undefined;
  const startWatching = (): void => {
    if (opts.watch === false) return;
    const file = watchedPath();
    if (!existsSync(dirname(file))) return;
    watcher = watchConfig({ file, log, onChange: () => void reloader.reload('file change') });
  };

  const state = (): DaemonState => ({
    pid: process.pid,
    port: gateway.server.port,
    url: gateway.url,
    started_at: new Date(gateway.state.startedAt).toISOString(),
    config_path: configPath ?? null,
    version: VERSION,
    ...(opts.portOverride !== undefined ? { port_override: opts.portOverride } : {}),
  });

  const reloader = createReloader({
    state: gateway.state,
    log,
    load: () => loadConfig({ path: configPath, env, port: opts.portOverride }),
    listen: { host: opts.loaded.config.host, port: opts.loaded.config.port },
    files: () => [watchedPath(), join(dirname(watchedPath()), '.env')],
    onSwap: (loaded) => {
      void gateway.state.reachability.probe(loaded.config);
      const pricer = gateway.state.usage?.pricer;
      for (const w of pricer ? unpricedBudgetIssues(loaded.config, pricer) : [])
        log.warn({ path: w.path, warning: w.message }, 'budget cannot be enforced');
      if (loaded.path === configPath) return;
      // The embedded defaults were serving and a config file has appeared: follow it from now on.
      configPath = loaded.path;
      if (stateFile) void writeState(stateFile, state()).catch(() => undefined);
      void watcher?.close().then(startWatching);
    },
  });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;

  const onTerm = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: closing the remaining connections now');
      gateway.server.server.closeAllConnections();
      return;
    }
    void stop(signal);
  };
  const onHup = (): void => void reloader.reload('SIGHUP');

  async function stop(reason = 'stop'): Promise<void> {
    stopping ??= (async () => {
      log.info({ reason, in_flight: gateway.state.stats.inFlight }, 'stopping; draining in-flight requests');
      await watcher?.close().catch(() => undefined);
      await gateway.stop(opts.graceMs ?? DEFAULT_GRACE_MS);
      if (stateFile) await removeState(stateFile, process.pid).catch(() => undefined);
      if (opts.signals !== false) {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onTerm);
        process.off('SIGHUP', onHup);
      }
      resolveStopped();
    })();
    return stopping;
  }

  if (opts.signals !== false) {
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onTerm);
    process.on('SIGHUP', onHup);
  }
  startWatching();
  await watcher?.ready;
  try {
    // Last: a state file means the gateway listens and watches.
    if (stateFile) await writeState(stateFile, state());
  } catch (e) {
    if (opts.stateFileOptional) {
      log.warn(
        { file: stateFile, error: (e as Error).message },
        'cannot write the state file; the CLI will not see this gateway',
      );
      return { gateway, reloader, stop, stopped };
    }
    await stop('state file not writable');
    throw new Error(`cannot write the state file ${stateFile}: ${(e as Error).message}`, { cause: e });
  }
  return { gateway, reloader, stop, stopped };
}
