import { formatIssue } from '../../config/format-issues.js';
import { loadConfig } from '../../config/load.js';
import { daemonGet, findDaemon, needsRestart, sleep, type Readiness } from '../daemon-client.js';
import { EXIT, ExitError, err, out } from '../output.js';

const RELOAD_TIMEOUT_MS = 10_000;

/**
 * `agentbox litellm reload`: validate the daemon's config file here first (invalid: the errors,
 * exit 2, no signal, the daemon keeps serving); then SIGHUP and wait until `/health/readiness`
 * reports the new generation or a failed reload.
 */
export async function reload(): Promise<void> {
  const env = process.env;
  const daemon = await findDaemon(env);
  if (!daemon)
    throw new ExitError(
      EXIT.notRunning,
      'agentbox gateway is not running; start it with: agentbox litellm start',
    );

  const result = await loadConfig({ path: daemon.config_path ?? undefined, env, port: daemon.port_override });
  if (!result.ok) {
    for (const e of result.errors) err(formatIssue(e));
    throw new ExitError(
      EXIT.usage,
      `config invalid: ${result.errors.length} problem(s)${result.path ? ` in ${result.path}` : ''}; the gateway keeps serving the previous config`,
    );
  }

  const before = await daemonGet<Readiness>(daemon, '/health/readiness', { env });
  try {
    process.kill(daemon.pid, 'SIGHUP');
  } catch (e) {
    throw new ExitError(
      EXIT.failure,
      `agentbox: cannot signal the gateway (pid ${daemon.pid}): ${(e as Error).message}`,
    );
  }
  const deadline = Date.now() + RELOAD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(50);
    const now = await daemonGet<Readiness>(daemon, '/health/readiness', { env }).catch(() => undefined);
    if (!now) continue;
    if (now.config_generation > before.config_generation) {
      const models = result.loaded.config.models.length;
      out(
        `config reloaded: ${(now.config_path ?? daemon.config_path) || '(embedded defaults)'} (generation ${now.config_generation}, ${models} model${models === 1 ? '' : 's'})`,
      );
      for (const r of needsRestart(now.last_reload))
        err(`needs a restart to take effect: ${r} (agentbox litellm restart)`);
      return;
    }
    if (!now.last_reload.ok && now.last_reload.at !== before.last_reload.at) {
      for (const e of now.last_reload.errors ?? []) err(formatIssue(e));
      throw new ExitError(EXIT.usage, 'the gateway rejected the config; it keeps serving the previous one');
    }
  }
  throw new ExitError(
    EXIT.failure,
    `agentbox: the gateway did not report a reload within ${RELOAD_TIMEOUT_MS / 1000} s`,
  );
}
