import { formatIssue } from '../../config/format-issues.js';
import { loadConfig } from '../../config/load.js';
import { findDaemon } from '../daemon-client.js';
import { EXIT, ExitError, err } from '../output.js';
import { parsePort } from './start.js';
import { startDetached } from './start-detached.js';
import { stopDaemon } from './stop.js';

/**
 * `agentbox litellm restart [--config P] [--port N]`: stop + start. Without options it keeps the
 * running daemon's config file and `--port`. The config is validated before anything is stopped:
 * an invalid one leaves the running daemon alone (exit 2).
 */
export async function restart(opts: { config?: string; port?: string }): Promise<void> {
  const env = process.env;
  const daemon = await findDaemon(env);
  const config = opts.config ?? daemon?.config_path ?? undefined;
  const port = opts.port ?? (daemon?.port_override !== undefined ? String(daemon.port_override) : undefined);
  const result = await loadConfig({ path: config, env, port: parsePort(port) });
  if (!result.ok) {
    for (const e of result.errors) err(formatIssue(e));
    throw new ExitError(
      EXIT.usage,
      `config invalid: ${result.errors.length} problem(s)${result.path ? ` in ${result.path}` : ''}` +
        (daemon ? '; the running gateway was left as it is' : ''),
    );
  }
  if (daemon) await stopDaemon(daemon, env);
  await startDetached({ config, port }, result.loaded);
}
