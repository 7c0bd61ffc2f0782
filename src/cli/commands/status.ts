import { formatIssue } from '../../config/format-issues.js';
import { loadConfig } from '../../config/load.js';
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
import { ignoredLines } from '../config-report.js';
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
    {
      alias: string;
      provider: string;
      model: string;
      key: string;
      state: string;
      /** With `state: unreachable`: the host and why, e.g. `http://127.0.0.1:11434: connection refused`. */
      reason?: string;
      billing?: 'plan' | 'metered';
      cooldown_remaining_s?: number;
    } & Partial<RoutingJson>
  >;
  /** null when the gateway needs its master_key and the config it is in cannot be read. */
  requests?: { total: number; failed: number; plan?: number; metered?: number } | null;
  /** Spend today and this month (UTC) and what is left of each budget; absent from older daemons. */
  spend?: { today_usd: number; month_usd: number; budgets: UsageHealth['budgets'] };
  /** Budgets that cannot be enforced for a deployment whose price is unknown, with the keys to set. */
  budget_warnings?: Array<{ path: string; message: string }>;
  /** With redis_url: whether Redis answers (when it does not, limits hold per daemon). */
  redis?: { ok: boolean; error?: string };
  /** A LiteLLM proxy file's keys the gateway does not honour. */
  ignored?: Array<{ path: string; value: string; reason: string }>;
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
      return { ...(await withLocalDetails(r, daemon)), deployments: [], requests: null } as unknown as Health;
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

/**
 * Readiness without the master key leaves out the config path and the reload errors: the path is in
 * the state file, and the errors are what the file says now, validated here.
 */
async function withLocalDetails(r: Readiness, daemon: DaemonState): Promise<Readiness> {
  const config_path = r.config_path ?? daemon.config_path;
  let errors = r.last_reload.errors;
  if (!errors) {
    const result = await loadConfig({ path: config_path ?? undefined, env: process.env });
    errors = result.ok ? [] : result.errors;
  }
  return { ...r, config_path, last_reload: { ...r.last_reload, errors } };
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
    config_path: h.config_path ?? daemon.config_path,
    config_generation: h.config_generation,
    last_reload: {
      at: h.last_reload.at,
      ok: h.last_reload.ok,
      errors: h.last_reload.errors ?? [],
      ...(needs.length ? { needs_restart: needs } : {}),
    },
    deployments: h.deployments.map((d) => ({
      alias: d.alias,
      provider: d.provider,
      model: d.model,
      key: d.key,
      state: d.state,
      ...(d.reason ? { reason: d.reason } : {}),
      // Only subscription deployments are marked: every other one is metered.
      ...(d.billing === 'plan' ? { billing: d.billing } : {}),
      ...(d.cooldown_remaining_s ? { cooldown_remaining_s: d.cooldown_remaining_s } : {}),
      ...(grouped.has(d.alias) ? routingJson(d as RoutingJson) : {}),
    })),
    requests: h.requests ? requestCounts(h.requests) : null,
    ...(h.budget_warnings?.length ? { budget_warnings: h.budget_warnings } : {}),
    ...(h.ignored ? { ignored: h.ignored } : {}),
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
    ...(s.requests?.plan
      ? [`  billing      ${s.requests.plan} on a subscription plan, ${s.requests.metered ?? 0} metered`]
      : []),
    ...(s.spend
      ? [`  spend        $${s.spend.today_usd.toFixed(4)} today, $${s.spend.month_usd.toFixed(4)} this month`]
      : []),
    ...(s.spend?.budgets ?? []).map(
      (b) =>
        `  budget       ${b.scope === 'global' ? 'all' : `${b.scope} ${b.name}`} per ${b.period}: $${b.left_usd.toFixed(4)} left of $${b.limit_usd}`,
    ),
    ...(s.budget_warnings ?? []).map((w) => `  WARNING      ${formatIssue(w)}`),
    ...(s.redis && !s.redis.ok
      ? [`  WARNING      redis unreachable (${s.redis.error ?? 'down'}): limits hold per daemon`]
      : []),
    ...ignoredLines(s.ignored).map((l) => `  ${l}`),
    '',
  ];
  out(lines.join('\n'));
  // A BILLING column only when some deployment runs on a subscription plan.
  const plan = s.deployments!.some((d) => d.billing === 'plan');
  const rows = s.deployments!.map((d) => [
    d.alias,
    d.provider,
    d.model,
    d.key,
    d.reason ? `${d.state} (${d.reason})` : d.state,
    ...(plan ? [d.billing ?? 'metered'] : []),
    ...routingCells(d),
  ]);
  out(
    rows.length
      ? table(
          ['ALIAS', 'PROVIDER', 'MODEL', 'KEY', 'STATE', ...(plan ? ['BILLING'] : []), ...ROUTING_HEADERS],
          rows,
          {
            blankRepeats: 0,
          },
        )
      : 'no models configured',
  );
}

function requestCounts(r: Health['requests']): NonNullable<StatusJson['requests']> {
  const out: NonNullable<StatusJson['requests']> = { total: r.total, failed: r.failed };
  if (r.plan) {
    out.plan = r.plan;
    out.metered = r.metered ?? 0;
  }
  return out;
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
