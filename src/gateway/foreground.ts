import type { LoadedConfig } from '../config/types.js';
import { createLogger } from '../shared/log.js';
import { stateFile } from '../shared/paths.js';
import { daemonAlive, readState } from '../shared/state-file.js';
import type { Gateway } from './daemon.js';
import { tuneHeapForServing } from './heap.js';
import { serveGateway } from './lifecycle.js';

/**
 * `start --foreground`: serve in this process, logging to stderr, until SIGTERM/SIGINT, then drain
 * in-flight requests and let the process end. It writes the state file like the detached daemon,
 * so `status`, `reload` and `stop` work on it, and it reloads on config changes and SIGHUP.
 */
export async function runForeground(
  loaded: LoadedConfig,
  opts: { portOverride?: number } = {},
): Promise<Gateway> {
  const env = { ...process.env };
  const file = stateFile(env);
  const existing = await readState(file);
  if (existing && existing.pid !== process.pid && daemonAlive(existing.pid)) {
    throw new Error(
      `a gateway is already running on ${existing.url} (pid ${existing.pid}); stop it first with: agentbox litellm stop`,
    );
  }
  tuneHeapForServing();
  const serving = await serveGateway({
    loaded,
    log: createLogger(),
    env,
    portOverride: opts.portOverride,
    stateFile: file,
    stateFileOptional: true,
  });
  void serving.stopped.then(() => {
    process.exitCode = 0;
  });
  return serving.gateway;
}
