import type { Deployment } from '../../config/types.js';
import { GatewayError } from '../errors.js';
import type { OutgoingCall, ProviderAdapter } from '../providers/types.js';
import { adapterFor } from '../providers/registry.js';
import { orderCandidates } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { joinUrl } from '../upstream/http.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages.js';
import { sendJson, type RequestContext } from './context.js';
import { parseJsonBody } from './json-body.js';
import { visibleTo } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import { admitCaller } from '../usage/policy.js';
import { estimateTokens } from '../usage/rate-limit.js';

/**
 * POST /v1/messages/count_tokens: forwarded to the first usable deployment when it speaks
 * Anthropic Messages; otherwise counted locally with a real tokenizer over the text the upstream
 * would see. Never a silent zero.
 */
export async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const body = parseJsonBody(ctx.body);
  const { model } = anthropicMessagesDialect.validate({ max_tokens: 1, ...body });
  const config = ctx.state.loaded.config;
  const { alias, chain } = resolveModel(config, model, visibleTo(usageOf(ctx).caller ?? { name: null }));
  ctx.info.model = model;
  ctx.info.alias = alias;
  // The same key allowlist and rate limits as a completion: counting is not a way around them.
  await admitCaller(ctx, { config, model, alias }, estimateTokens(ctx.body.length, 0));
  const [d] = orderCandidates(chain, ctx.state.cooldowns);
  if (!d) throw new GatewayError('api_error', `no deployment of "${alias}" can serve`, { status: 503 });
  ctx.info.deployment = d.id;
  const adapter = adapterFor(d.provider.type, d.model);
  // Anthropic's own API counts; a Messages wire at a model-specific URL (Claude on Vertex) is counted here.
  const wire = adapter.wires['anthropic-messages'];
  const call = wire && !wire.pathFor && (await countCall(adapter, d, ctx, body));
  if (call) {
    const res = await ctx.upstream.request({
      ...call,
      signal: ctx.signal,
      timeoutMs: (d.timeoutS ?? config.router.timeoutS) * 1000,
    });
    const text = await res.body.text();
    ctx.info.attempts = [{ deployment: d.id, status: res.statusCode }];
    return sendJson(ctx, res.statusCode, text);
  }
  const canonical = anthropicMessagesDialect.decodeRequest(body);
  // The tokenizer's tables are large: load them only when a count is asked for.
  const { countTokensLocally } = await import('../usage/count-tokens.js');
  const input_tokens = countTokensLocally(canonical, d.model);
  sendJson(ctx, 200, { input_tokens });
}

/** The upstream count_tokens call with the adapter's credentials; undefined when it has none for this request. */
async function countCall(
  adapter: ProviderAdapter,
  d: Deployment,
  ctx: RequestContext,
  body: Record<string, unknown>,
): Promise<OutgoingCall | undefined> {
  const call: OutgoingCall = {
    url: joinUrl(d.provider.apiBase, '/messages/count_tokens'),
    headers: { 'content-type': 'application/json', ...(await adapter.headers(d, ctx.req.headers)) },
    body: JSON.stringify({ ...body, model: d.model }),
  };
  if (!adapter.finalize) return call;
  const done = await adapter.finalize(call, d, ctx.req.headers);
  return 'failure' in done ? undefined : done;
}
