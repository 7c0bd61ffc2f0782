import type { Deployment } from '../../config/types.js';
import { VERSION } from '../../shared/version.js';
import { deploymentViews } from '../deployments.js';
import { adapterFor } from '../providers/registry.js';
import { aliasContextWindow } from '../params/context-window.js';
import { sendJson, type RequestContext } from './context.js';

/** GET /v1/models: aliases as models, in a shape both the OpenAI and the Anthropic SDK accept. */
export function handleModels(ctx: RequestContext, visible: (alias: string) => boolean = () => true): void {
  const created = Math.floor(ctx.state.startedAt / 1000);
  const createdAt = new Date(ctx.state.startedAt).toISOString();
  const data = ctx.state.loaded.config.models
    .filter((a) => !a.glob && visible(a.name))
    .map((a) => ({
      id: a.name,
      object: 'model',
      created,
      owned_by: 'agentbox',
      type: 'model',
      display_name: a.name,
      created_at: createdAt,
      context_window: aliasContextWindow(a.deployments),
    }));
  sendJson(ctx, 200, {
    object: 'list',
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  });
}

/** GET /model/info: chains, key state, context window and prices (LiteLLM's shape, no keys). */
export function handleModelInfo(ctx: RequestContext): void {
  const views = deploymentViews(ctx.state);
  let i = 0;
  const data = [];
  for (const a of ctx.state.loaded.config.models) {
    for (const d of a.deployments) {
      const v = views[i++];
      data.push({
        model_name: a.name,
        litellm_params: { model: `${d.provider.name}/${d.model}`, api_base: d.provider.apiBase },
        model_info: {
          id: d.id,
          provider: d.provider.name,
          provider_type: d.provider.type,
          model: d.model,
          position: d.index,
          key: v.key,
          state: v.state,
          max_tokens: d.maxTokens ?? null,
          context_window: d.contextWindow ?? null,
          alias_context_window: aliasContextWindow(a.deployments),
          drop_params: d.dropParams ?? ctx.state.loaded.config.dropParams ?? false,
          force: d.force ?? null,
          drop: d.drop ?? null,
          model_rules: adapterFor(d.provider.type).modelRules?.(d.model) ?? [],
          ...prices(ctx, d),
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
  const uptime_s = Math.floor((Date.now() - s.startedAt) / 1000);
  const readiness = {
    status: 'ready',
    version: VERSION,
    config_path: s.loaded.path ?? null,
    config_generation: s.generation,
    last_reload: s.lastReload,
    uptime_s,
  };
  if (kind === 'readiness') return sendJson(ctx, 200, readiness);
  const deployments = deploymentViews(s);
  // Spend today and this month, what is left of each budget, and whether Redis is reachable.
  const usage = s.usage ? await s.usage.health(s.loaded.config) : undefined;
  sendJson(ctx, 200, {
    ...readiness,
    healthy_count: deployments.filter((d) => d.state === 'ok').length,
    unhealthy_count: deployments.filter((d) => d.state !== 'ok').length,
    deployments,
    requests: { total: s.stats.total, failed: s.stats.failed, in_flight: s.stats.inFlight },
    ...(usage ? { usage } : {}),
  });
}
