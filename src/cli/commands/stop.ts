import { stateFile } from '../../shared/paths.js';
import { daemonAlive, removeState, type DaemonState } from '../../shared/state-file.js';
import { clientUrl, findDaemon, sleep } from '../daemon-client.js';
import { EXIT, ExitError, out } from '../output.js';
import { startProgress } from '../progress.js';

/** The daemon drains for up to 10 s; this leaves it time to finish before SIGKILL. */
export const STOP_TIMEOUT_MS = 15_000;

/** `agentbox litellm stop`: SIGTERM, wait while in-flight requests drain, exit 0 (also when not running). */
export async function stop(): Promise<void> {
  const daemon = await findDaemon(process.env);
  if (!daemon) {
    out('agentbox gateway is not running');
    return;
  }
  const how = await stopDaemon(daemon, process.env);
  out(
    how === 'killed'
      ? `agentbox gateway (pid ${daemon.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s and was killed`
      : `agentbox gateway stopped (pid ${daemon.pid}, was ${clientUrl(daemon)})`,
  );
}

/** SIGTERM and wait for the process to end; SIGKILL after the bound. The state file is gone afterwards. */
export async function stopDaemon(
  daemon: DaemonState,
  env: NodeJS.ProcessEnv,
  timeoutMs = STOP_TIMEOUT_MS,
): Promise<'stopped' | 'killed'> {
  const { pid } = daemon;
  let how: 'stopped' | 'killed' = 'stopped';
  if (signal(pid, 'SIGTERM')) {
    const progress = startProgress(`stopping the gateway (pid ${pid}); in-flight requests may finish …`);
    try {
      if (!(await exited(pid, timeoutMs))) {
        how = 'killed';
        signal(pid, 'SIGKILL');
        await exited(pid, 3_000);
      }
    } finally {
      progress.done();
    }
  }
  await removeState(stateFile(env), pid).catch(() => undefined);
  return how;
}

/** False when the process is already gone; a daemon of another user is an error, not "stopped". */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') {
      throw new ExitError(
        EXIT.failure,
        `agentbox: not allowed to signal the gateway (pid ${pid}); it runs as another user`,
      );
    }
    return false;
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!daemonAlive(pid)) return true;
    await sleep(50);
  }
  return !daemonAlive(pid);
}
