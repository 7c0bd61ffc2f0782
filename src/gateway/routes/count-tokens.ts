import type { Deployment } from '../../config/types.js';
import type { CanonicalRequest } from '../canonical.js';
import { GatewayError } from '../errors.js';
import { createParamSink } from '../params/sink.js';
import type { OutgoingCall, ProviderAdapter } from '../providers/types.js';
import { adapterFor } from '../providers/registry.js';
import { orderCandidates } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { joinUrl } from '../upstream/http.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages.js';
import { passthroughFor, reasoningFamily } from '../reasoning-origin/dispatched.js';
import { sendJson, type RequestContext } from './context.js';
import { parseJsonBody } from './json-body.js';
import { visibleTo } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import { admitCaller } from '../usage/policy.js';
import { estimateTokens } from '../usage/rate-limit.js';

/** Which counter answered: the upstream's own, or the local tokenizer (named). */
export const COUNT_SOURCE_HEADER = 'x-agentbox-count-source';

/**
 * POST /v1/messages/count_tokens: forwarded to the first usable deployment when it speaks
 * Anthropic Messages; asked of its `/responses/input_tokens` when it speaks the Responses API;
 * otherwise counted locally with a real tokenizer over the text the upstream
 * would see. Never a silent zero; `x-agentbox-count-source` says which counted.
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
    return sendJson(ctx, res.statusCode, text, { [COUNT_SOURCE_HEADER]: `upstream:${d.id}` });
  }
  const canonical = anthropicMessagesDialect.decodeRequest(body);
  const counted = await countWithResponses(ctx, d, canonical, config.router.timeoutS);
  if (counted !== undefined)
    return sendJson(ctx, 200, { input_tokens: counted }, { [COUNT_SOURCE_HEADER]: `upstream:${d.id}` });
  // The tokenizer's tables are large: load them only when a count is asked for.
  const { countTokensLocally, TOKENIZER } = await import('../usage/count-tokens.js');
  const input_tokens = countTokensLocally(canonical, d.model);
  sendJson(ctx, 200, { input_tokens }, { [COUNT_SOURCE_HEADER]: `tokenizer:${TOKENIZER}` });
}

/**
 * A deployment that speaks the Responses API counts with its own `POST /responses/input_tokens`.
 * Undefined when it has none, or the count fails (the tokenizer answers then).
 */
async function countWithResponses(
  ctx: RequestContext,
  d: Deployment,
  canonical: CanonicalRequest,
  timeoutS: number,
): Promise<number | undefined> {
  const adapter = adapterFor(d.provider.type);
  const wire = adapter.wires['openai-responses'];
  if (!wire) return undefined;
  // A count is not an answer: what the wire cannot take is left out rather than refused.
  const req = wire.buildRequest({ ...canonical, stream: false }, d, createParamSink(d, true));
  delete req.stream;
  delete req.store;
  try {
    const res = await ctx.upstream.request({
      url: joinUrl(d.provider.apiBase, `${wire.path}/input_tokens`),
      headers: { 'content-type': 'application/json', ...(await adapter.headers(d, ctx.req.headers)) },
      body: JSON.stringify(req),
      signal: ctx.signal,
      timeoutMs: (d.timeoutS ?? timeoutS) * 1000,
    });
    const text = await res.body.text();
    ctx.info.attempts = [{ deployment: d.id, status: res.statusCode }];
    if (res.statusCode !== 200) return undefined;
    const n = (JSON.parse(text) as { input_tokens?: unknown }).input_tokens;
    return typeof n === 'number' && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
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
    // Marked signatures go back as Anthropic issued them (or not at all, when another family made them).
    body: JSON.stringify({
      ...passthroughFor(body, anthropicMessagesDialect, reasoningFamily(adapter, d)),
      model: d.model,
    }),
  };
  if (!adapter.finalize) return call;
  const done = await adapter.finalize(call, d, ctx.req.headers);
  return 'failure' in done ? undefined : done;
}
