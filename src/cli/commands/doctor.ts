import { loadConfig } from '../../config/load.js';
import { configCandidates } from '../../shared/paths.js';
import { findDaemon } from '../daemon-client.js';
import { agentChecks } from '../doctor-agents.js';
import { configChecks, daemonChecks, providerChecks, schemaLineCheck, type Check } from '../doctor-checks.js';
import { EXIT, ExitError, json, out } from '../output.js';

const MARK: Record<Check['status'], string> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', skip: '--  ' };

/**
 * `agentbox doctor [--config P] [--json]`: the config found and valid, each provider's key and
 * host, budgets that cannot be enforced, the daemon running and answering, and the agents pointed
 * at it. One line per check with the exact fix; exit 1 when a check fails.
 */
export async function doctor(opts: { json?: boolean; config?: string }): Promise<void> {
  const env = process.env;
  const daemon = await findDaemon(env);
  const path = opts.config ?? daemon?.config_path ?? undefined;
  const result = await loadConfig({ path, env });
  const checks: Check[] = [...configChecks(result, configCandidates(env, path), env)];
  if (result.ok)
    checks.push(...(await schemaLineCheck(result.loaded)), ...(await providerChecks(result.loaded)));
  const d = await daemonChecks(daemon, result.ok ? result.loaded : undefined, env);
  checks.push(...d.checks, ...(await agentChecks(d.url, env)));
  const ok = !checks.some((c) => c.status === 'fail');
  if (opts.json) json({ ok, checks });
  else {
    const width = Math.max(...checks.map((c) => c.check.length));
    for (const c of checks) {
      const fix = c.fix && c.status !== 'ok' ? ` → fix: ${c.fix}` : '';
      out(`${MARK[c.status]}  ${c.check.padEnd(width)}  ${c.detail}${fix}`);
    }
    out(ok ? 'nothing is wrong' : `${checks.filter((c) => c.status === 'fail').length} problem(s)`);
  }
  if (!ok) throw new ExitError(EXIT.failure);
}
