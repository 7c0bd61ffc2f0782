import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../shared/log.js';
import { logFile, stateFile } from '../shared/paths.js';
import { parseReadyFd, signalReady } from '../shared/ready-signal.js';
import { readState } from '../shared/state-file.js';
import { deploymentViews } from './deployments.js';
import { tuneHeapForServing } from './heap.js';
import { serveGateway } from './lifecycle.js';

/**
 * The detached daemon's process entry, spawned by `agentbox litellm start`:
 * `node daemon-main.js [--config PATH] [--port N] [--ready-fd N]`. Logs to `<state dir>/litellm.log`,
 * writes the state file once it listens (then the ready line on `--ready-fd`, see ready-signal.ts),
 * reloads on config changes and SIGHUP, drains and exits on SIGTERM.
 * A failure to start is logged as a `fatal` line, which `start` shows to the user.
 */
async function main(): Promise<void> {
  process.title = 'agentbox-litellm';
  tuneHeapForServing();
  const env = { ...process.env };
  const log = createLogger({ file: logFile(env) });
  let args: { config?: string; port?: string; 'ready-fd'?: string };
  let readyFd: number | undefined;
  try {
    args = parseArgs({
      options: { config: { type: 'string' }, port: { type: 'string' }, 'ready-fd': { type: 'string' } },
    }).values;
    readyFd = parseReadyFd(args['ready-fd']);
  } catch (e) {
    log.fatal({ error: (e as Error).message }, 'bad daemon arguments');
    process.exitCode = 2;
    return;
  }
  const port = args.port !== undefined ? Number(args.port) : undefined;
  const result = await loadConfig({ path: args.config, env, port });
  if (!result.ok) {
    const errors = result.errors.map((e) => `${e.path}: ${e.message}`);
    log.fatal({ errors, error: errors.join('; ') }, 'config invalid; the gateway did not start');
    process.exitCode = 2;
    return;
  }
  try {
    const serving = await serveGateway({
      loaded: result.loaded,
      log,
      env,
      portOverride: port,
      stateFile: stateFile(env),
    });
    const state = readyFd !== undefined ? await readState(stateFile(env)) : undefined;
    if (readyFd !== undefined && state) {
      const unreachable = deploymentViews(serving.gateway.state).filter((d) => d.state === 'unreachable');
      await signalReady(readyFd, { state, deployments: unreachable });
    }
    await serving.stopped;
    log.info('daemon exiting');
  } catch (e) {
    log.fatal({ error: (e as Error).message }, 'the gateway failed to start');
    process.exitCode = 1;
  }
}

void main();
