import type { Deployment } from '../../config/types.js';
import { VERSION } from '../../shared/version.js';
import { deploymentViews } from '../deployments.js';
import { GatewayError } from '../errors.js';
import { isOperator, tryIdentify, visibleTo } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import { unpricedBudgetIssues } from '../usage/unpriced.js';
import { adapterFor } from '../providers/registry.js';
import { aliasContextWindow } from '../params/context-window.js';
import { sendJson, type RequestContext } from './context.js';

/** GET /model/info: chains, key state, context window and prices (LiteLLM's shape, no keys). */
export async function handleModelInfo(ctx: RequestContext): Promise<void> {
  const config = ctx.state.loaded.config;
  await ctx.state.reachability.fresh(config);
  const caller = usageOf(ctx).caller;
  // A key sees only its plan: its aliases, and no api_base unless it is the operator's.
  const visible = visibleTo(caller ?? { name: null });
  const showBase = isOperator(caller, config);
  const views = deploymentViews(ctx.state);
  let i = 0;
  const data = [];
  const live = ctx.state.live;
  for (const a of config.models) {
    const aliasCacheRead = live.cacheRead(a.name);
    for (const d of a.deployments) {
      const v = views[i++];
      if (!visible(a.name)) continue;
      data.push({
        model_name: a.name,
        litellm_params: {
          model: `${d.provider.name}/${d.model}`,
          ...(showBase ? { api_base: d.provider.apiBase } : {}),
        },
        model_info: {
          id: d.id,
          provider: d.provider.name,
          provider_type: d.unsupported ? null : d.provider.type,
          model: d.model,
          position: d.index,
          key: v.key,
          state: v.state,
          ...(v.reason ? { reason: v.reason } : {}),
          max_tokens: d.maxTokens ?? null,
          context_window: d.contextWindow ?? null,
          alias_context_window: aliasContextWindow(a.deployments),
          drop_params: d.dropParams ?? ctx.state.loaded.config.dropParams ?? false,
          force: d.force ?? null,
          drop: d.drop ?? null,
          model_rules: adapterFor(d.provider.type).modelRules?.(d.model) ?? [],
          ...prices(ctx, d),
          group: v.group,
          group_size: v.group_size,
          weight: v.weight,
          strategy: v.strategy,
          share: v.share,
          in_flight: v.in_flight,
          ewma_ttft_ms: v.ewma_ttft_ms,
          headroom: v.headroom,
          cache_read_tokens: live.cacheRead(a.name, d.id),
          alias_cache_read_tokens: aliasCacheRead,
        },
      });
    }
  }
  sendJson(ctx, 200, { data });
}

/** USD per token from the config or the bundled pricing data (null: unknown). */
function prices(ctx: RequestContext, d: Deployment): Record<string, number | string | null> {
  const p = ctx.state.usage?.pricer.perToken(d);
  return {
    input_cost_per_token: d.inputCostPerToken ?? p?.input ?? null,
    output_cost_per_token: d.outputCostPerToken ?? p?.output ?? null,
    cache_read_input_token_cost: d.cacheReadCostPerToken ?? p?.cacheRead ?? null,
    cache_creation_input_token_cost: d.cacheWriteCostPerToken ?? p?.cacheWrite ?? null,
    price_source: ctx.state.usage?.pricer.source(d) ?? null,
  };
}

export async function handleHealth(
  ctx: RequestContext,
  kind: 'liveliness' | 'readiness' | 'full',
): Promise<void> {
  const s = ctx.state;
  if (kind === 'liveliness') return sendJson(ctx, 200, { status: 'alive' });
  const config = s.loaded.config;
  const caller = kind === 'full' ? usageOf(ctx).caller : tryIdentify(ctx.req, config);
  const operator = isOperator(caller, config);
  if (kind === 'full' && !operator) {
    throw new GatewayError(
      'permission_denied',
      '/health needs the master key when litellm.keys is configured',
    );
  }
  const uptime_s = Math.floor((Date.now() - s.startedAt) / 1000);
  const r = s.lastReload;
  // Without the operator's key, readiness says only whether it is ready and when it last reloaded.
  const readiness = operator
    ? {
        status: 'ready',
        version: VERSION,
        config_path: s.loaded.path ?? null,
        config_generation: s.generation,
        last_reload: {
          at: r.at,
          ok: r.ok,
          errors: r.errors,
          ...(r.needsRestart?.length ? { needs_restart: r.needsRestart } : {}),
        },
        uptime_s,
        ...(s.loaded.ignored ? { config_format: s.loaded.format ?? null, ignored: s.loaded.ignored } : {}),
      }
    : {
        status: 'ready',
        version: VERSION,
        config_generation: s.generation,
        last_reload: {
          at: r.at,
          ok: r.ok,
          ...(r.needsRestart?.length ? { needs_restart: r.needsRestart } : {}),
        },
        uptime_s,
      };
  if (kind === 'readiness') return sendJson(ctx, 200, readiness);
  // `?probe=1` probes every provider host now; otherwise results older than 30 s are refreshed.
  if (/[?&]probe=(1|true)\b/.test(ctx.req.url ?? '')) await s.reachability.probe(config);
  else await s.reachability.fresh(config);
  const deployments = deploymentViews(s);
  // Spend today and this month, what is left of each budget, and whether Redis is reachable.
  const usage = s.usage ? await s.usage.health(s.loaded.config) : undefined;
  sendJson(ctx, 200, {
    ...readiness,
    healthy_count: deployments.filter((d) => d.state === 'ok').length,
    unhealthy_count: deployments.filter((d) => d.state !== 'ok').length,
    deployments,
    requests: {
      total: s.stats.total,
      failed: s.stats.failed,
      in_flight: s.stats.inFlight,
      plan: s.stats.plan,
      metered: s.stats.metered,
    },
    budget_warnings: s.usage ? unpricedBudgetIssues(config, s.usage.pricer) : [],
    ...(usage ? { usage } : {}),
  });
}
