import { formatIssue } from '../../config/format-issues.js';
import type { UsageHealth } from '../../gateway/usage/services.js';
import type { DaemonState } from '../../shared/state-file.js';
import {
  DaemonHttpError,
  clientUrl,
  daemonGet,
  findDaemon,
  needsRestart,
  type Health,
  type Readiness,
} from '../daemon-client.js';
import { EXIT, ExitError, err, json, out } from '../output.js';
import {
  groupedAliases,
  ROUTING_HEADERS,
  routingCells,
  routingJson,
  type RoutingJson,
} from '../routing-columns.js';
import { table } from '../table.js';

/** `status --json`: stable, documented in the README. */
export interface StatusJson {
  running: boolean;
  pid?: number;
  url?: string;
  port?: number;
  uptime_s?: number;
  version?: string;
  config_path?: string | null;
  config_generation?: number;
  last_reload?: {
    at: string;
    ok: boolean;
    errors: Array<{ path: string; message: string }>;
    needs_restart?: string[];
  };
  deployments?: Array<
    { alias: string; provider: string; model: string; key: string; state: string } & Partial<RoutingJson>
  >;
  /** null when the gateway needs its master_key and the config it is in cannot be read. */
  requests?: { total: number; failed: number } | null;
  /** Spend today and this month (UTC) and what is left of each budget; absent from older daemons. */
  spend?: { today_usd: number; month_usd: number; budgets: UsageHealth['budgets'] };
  /** With redis_url: whether Redis answers (when it does not, limits hold per daemon). */
  redis?: { ok: boolean; error?: string };
}

/** `agentbox litellm status [--json]`: exit 0 running, 3 not running. */
export async function status(opts: { json?: boolean }): Promise<void> {
  const daemon = await findDaemon(process.env);
  if (!daemon) {
    if (opts.json) json({ running: false } satisfies StatusJson);
    else out('agentbox gateway is not running');
    throw new ExitError(EXIT.notRunning);
  }
  let health: Health;
  try {
    health = await daemonGet<Health>(daemon, '/health', { env: process.env }).catch(async (e: unknown) => {
      // The key is in a config file that is broken right now: what /health/readiness tells still helps.
      if (!(e instanceof DaemonHttpError) || e.status !== 401) throw e;
      err(`agentbox: deployments and counters unavailable: ${e.message}`);
      const r = await daemonGet<Readiness>(daemon, '/health/readiness', { env: process.env });
      return { ...r, deployments: [], requests: null } as unknown as Health;
    });
  } catch (e) {
    throw new ExitError(
      EXIT.failure,
      `agentbox: the gateway (pid ${daemon.pid}) is running but does not answer on ${clientUrl(daemon)}: ${(e as Error).message}`,
    );
  }
  const s = statusJson(daemon, health);
  if (opts.json) json(s);
  else printStatus(s);
}

export function statusJson(daemon: DaemonState, h: Health): StatusJson {
  const needs = needsRestart(h.last_reload);
  const grouped = groupedAliases(h.deployments);
  return {
    running: true,
    pid: daemon.pid,
    url: clientUrl(daemon),
    port: daemon.port,
    uptime_s: h.uptime_s,
    version: h.version,
    config_path: h.config_path,
    config_generation: h.config_generation,
    last_reload: {
      at: h.last_reload.at,
      ok: h.last_reload.ok,
      errors: h.last_reload.errors,
      ...(needs.length ? { needs_restart: needs } : {}),
    },
    deployments: h.deployments.map((d) => ({
      alias: d.alias,
      provider: d.provider,
      model: d.model,
      key: d.key,
      state: d.state,
      ...(grouped.has(d.alias) ? routingJson(d as RoutingJson) : {}),
    })),
    requests: h.requests ? { total: h.requests.total, failed: h.requests.failed } : null,
    ...usageStatus((h as { usage?: UsageHealth }).usage),
  };
}

function printStatus(s: StatusJson): void {
  const r = s.last_reload!;
  const lines = [
    `agentbox gateway running on ${s.url}`,
    `  pid          ${s.pid}`,
    `  uptime       ${duration(s.uptime_s ?? 0)}`,
    `  version      ${s.version}`,
    `  config       ${s.config_path ?? '(embedded defaults)'} (generation ${s.config_generation})`,
    `  last reload  ${r.at} ${r.ok ? 'ok' : `FAILED, the previous config keeps serving:`}`,
    ...r.errors.map((e) => `                 ${formatIssue(e)}`),
    ...(r.needs_restart ?? []).map((n) => `  needs restart: ${n} (agentbox litellm restart)`),
    `  requests     ${s.requests ? `${s.requests.total} total, ${s.requests.failed} failed` : 'unknown'}`,
    ...(s.spend
      ? [`  spend        $${s.spend.today_usd.toFixed(4)} today, $${s.spend.month_usd.toFixed(4)} this month`]
      : []),
    ...(s.spend?.budgets ?? []).map(
      (b) =>
        `  budget       ${b.scope === 'global' ? 'all' : `${b.scope} ${b.name}`} per ${b.period}: $${b.left_usd.toFixed(4)} left of $${b.limit_usd}`,
    ),
    ...(s.redis && !s.redis.ok
      ? [`  WARNING      redis unreachable (${s.redis.error ?? 'down'}): limits hold per daemon`]
      : []),
    '',
  ];
  out(lines.join('\n'));
  const rows = s.deployments!.map((d) => [d.alias, d.provider, d.model, d.key, d.state, ...routingCells(d)]);
  out(
    rows.length
      ? table(['ALIAS', 'PROVIDER', 'MODEL', 'KEY', 'STATE', ...ROUTING_HEADERS], rows, { blankRepeats: 0 })
      : 'no models configured',
  );
}

export function duration(totalS: number): string {
  const d = Math.floor(totalS / 86400);
  const h = Math.floor((totalS % 86400) / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

function usageStatus(u: UsageHealth | undefined): Pick<StatusJson, 'spend' | 'redis'> {
  if (!u) return {};
  const out: Pick<StatusJson, 'spend' | 'redis'> = {
    spend: { today_usd: u.spend.today_usd, month_usd: u.spend.month_usd, budgets: u.budgets },
  };
  if (u.store.kind === 'redis') out.redis = u.store.ok ? { ok: true } : { ok: false, error: u.store.error };
  return out;
}
