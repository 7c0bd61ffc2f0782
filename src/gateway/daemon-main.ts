import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../shared/log.js';
import { logFile, stateFile } from '../shared/paths.js';
import { serveGateway } from './lifecycle.js';

/**
 * The detached daemon's process entry, spawned by `agentbox litellm start`:
 * `node daemon-main.js [--config PATH] [--port N]`. Logs to `<state dir>/litellm.log`, writes the
 * state file once it listens, reloads on config changes and SIGHUP, drains and exits on SIGTERM.
 * A failure to start is logged as a `fatal` line, which `start` shows to the user.
 */
async function main(): Promise<void> {
  process.title = 'agentbox-litellm';
  const env = { ...process.env };
  const log = createLogger({ file: logFile(env) });
  let args: { config?: string; port?: string };
  try {
    args = parseArgs({ options: { config: { type: 'string' }, port: { type: 'string' } } }).values;
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
    await serving.stopped;
    log.info('daemon exiting');
  } catch (e) {
    log.fatal({ error: (e as Error).message }, 'the gateway failed to start');
    process.exitCode = 1;
  }
}

void main();
