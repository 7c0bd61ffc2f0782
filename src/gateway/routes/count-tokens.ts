import { GatewayError } from '../errors.js';
import { adapterFor } from '../providers/registry.js';
import { orderCandidates } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { joinUrl } from '../upstream/http.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages.js';
import { sendJson, type RequestContext } from './context.js';
import { parseJsonBody } from './json-body.js';

/** Which counter answered: the upstream's own, or the local tokenizer (named). */
export const COUNT_SOURCE_HEADER = 'x-agentbox-count-source';

/**
 * POST /v1/messages/count_tokens: forwarded to the first usable deployment when it speaks
 * Anthropic Messages; otherwise counted locally with a real tokenizer over the text the upstream
 * would see. Never a silent zero; `x-agentbox-count-source` says which counted.
 */
export async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const body = parseJsonBody(ctx.body);
  const { model } = anthropicMessagesDialect.validate({ max_tokens: 1, ...body });
  const config = ctx.state.loaded.config;
  const { alias, chain } = resolveModel(config, model);
  ctx.info.model = model;
  ctx.info.alias = alias;
  const [d] = orderCandidates(chain, ctx.state.cooldowns);
  if (!d) throw new GatewayError('api_error', `no deployment of "${alias}" can serve`, { status: 503 });
  ctx.info.deployment = d.id;
  const adapter = adapterFor(d.provider.type);
  if (adapter.wires['anthropic-messages']) {
    const res = await ctx.upstream.request({
      url: joinUrl(d.provider.apiBase, '/messages/count_tokens'),
      headers: { 'content-type': 'application/json', ...adapter.headers(d, ctx.req.headers) },
      body: JSON.stringify({ ...body, model: d.model }),
      signal: ctx.signal,
      timeoutMs: (d.timeoutS ?? config.router.timeoutS) * 1000,
    });
    const text = await res.body.text();
    ctx.info.attempts = [{ deployment: d.id, status: res.statusCode }];
    return sendJson(ctx, res.statusCode, text, { [COUNT_SOURCE_HEADER]: `upstream:${d.id}` });
  }
  const canonical = anthropicMessagesDialect.decodeRequest(body);
  // The tokenizer's tables are large: load them only when a count is asked for.
  const { countTokensLocally, TOKENIZER } = await import('../usage/count-tokens.js');
  const input_tokens = countTokensLocally(canonical, d.model);
  sendJson(ctx, 200, { input_tokens }, { [COUNT_SOURCE_HEADER]: `tokenizer:${TOKENIZER}` });
}
