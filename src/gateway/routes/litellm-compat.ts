import { GatewayError } from '../errors.js';
import { readRecordPage } from '../usage/ledger-records.js';
import { presentedKey } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import { sendJson, type RequestContext } from './context.js';

/**
 * The LiteLLM proxy management paths a migrating user's scripts call: `/key/info` (the calling
 * key only), `/spend/logs` (the caller's ledger rows, paginated; the master key sees all), and a
 * 501 for key, user and team management, which agentbox keeps in the config file.
 */

const MANAGEMENT =
  /^\/(key\/(generate|update|delete|regenerate|list|block|unblock)|user(\/.*)?|team(\/.*)?)$/;

/** The 501 for a management route agentbox does not have; undefined for any other path. */
export function managementError(path: string): GatewayError | undefined {
  if (!MANAGEMENT.test(path)) return undefined;
  return new GatewayError(
    'not_implemented',
    `${path} is not available: agentbox keeps keys, budgets and limits in the config file (litellm.keys, litellm.budgets); edit it and the gateway reloads it`,
  );
}

/** GET /key/info: the calling key's name, models, budget, limits and spend; never another key's. */
export async function handleKeyInfo(ctx: RequestContext): Promise<void> {
  const asked = new URL(ctx.req.url ?? '/', 'http://x').searchParams.get('key');
  if (asked !== null && asked !== presentedKey(ctx.req)) {
    throw new GatewayError(
      'permission_denied',
      '/key/info describes only the key that calls it; leave out ?key=',
    );
  }
  const caller = usageOf(ctx).caller ?? { name: null };
  const budgets = ctx.state.usage?.budgets;
  const spend = async (p: 'day' | 'month') =>
    budgets ? (caller.name ? budgets.keySpentUsd(caller.name, p) : budgets.spentUsd(p)) : null;
  const k = caller.key;
  sendJson(ctx, 200, {
    key: caller.name,
    info: {
      key_name: caller.name,
      key_alias: caller.name,
      models: k?.models ?? [],
      max_budget: k?.budget?.usdPerMonth ?? null,
      budget_duration: k?.budget?.usdPerMonth !== undefined ? '30d' : null,
      budget: k?.budget
        ? { usd_per_day: k.budget.usdPerDay ?? null, usd_per_month: k.budget.usdPerMonth ?? null }
        : null,
      spend: await spend('month'),
      spend_today: await spend('day'),
      rpm_limit: k?.rpm ?? null,
      tpm_limit: k?.tpm ?? null,
    },
  });
}

/** GET /spend/logs?page=1&page_size=50: ledger rows, newest first; only the caller's unless master (or no keys at all). */
export async function handleSpendLogs(ctx: RequestContext): Promise<void> {
  const q = new URL(ctx.req.url ?? '/', 'http://x').searchParams;
  const page = positiveInt(q.get('page'), 1, 'page', 1_000_000);
  const pageSize = positiveInt(q.get('page_size'), 50, 'page_size', 1000);
  const caller = usageOf(ctx).caller ?? { name: null };
  const { masterKey, keys } = ctx.state.loaded.config;
  const seesAll = caller.name === 'master' || (!masterKey && !keys);
  const usage = ctx.state.usage;
  if (!usage?.ledgerDir) {
    return sendJson(ctx, 200, {
      data: [],
      page,
      page_size: pageSize,
      has_more: false,
      note: 'no spend ledger (the gateway runs without a state dir)',
    });
  }
  await usage.ledger?.flush();
  const r = await readRecordPage(usage.ledgerDir, { key: seesAll ? undefined : caller.name, page, pageSize });
  sendJson(ctx, 200, {
    data: r.records.map((x) => ({
      request_id: x.id,
      startTime: new Date(x.ts).toISOString(),
      key_name: x.key,
      model_group: x.alias,
      model: x.deployment,
      api_route: x.route,
      status: x.status,
      stream: x.stream,
      cache_hit: x.cached === true,
      prompt_tokens: x.input_tokens,
      completion_tokens: x.output_tokens,
      total_tokens: x.input_tokens + x.output_tokens,
      cache_read_input_tokens: x.cache_read_tokens,
      cache_creation_input_tokens: x.cache_write_tokens,
      spend: x.usd,
    })),
    page,
    page_size: pageSize,
    has_more: r.hasMore,
  });
}

function positiveInt(v: string | null, dflt: number, name: string, max: number): number {
  if (v === null) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new GatewayError(
      'invalid_request',
      `${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`,
      { param: name },
    );
  }
  return n;
}
