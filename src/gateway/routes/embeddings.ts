import { GatewayError, type FailureKind } from '../errors.js';
import { adapterFor } from '../providers/registry.js';
import { mayFollow, nextCandidate } from '../router/conditions.js';
import { orderCandidates, type AttemptRecord } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { joinUrl } from '../upstream/http.js';
import { toFailure } from '../errors.js';
import { sendJson, type RequestContext } from './context.js';
import { parseJsonBody } from './json-body.js';
import { admitRequest, committed, jsonAnswer } from '../usage/policy.js';
import { visibleTo } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';

/**
 * POST /v1/embeddings: passed through to the first deployment of the chain whose provider has
 * embeddings; `encoding_format` (the openai SDK asks for base64) goes up as the client sent it.
 */
export async function handleEmbeddings(ctx: RequestContext): Promise<void> {
  const body = parseJsonBody(ctx.body);
  if (typeof body.model !== 'string' || body.model === '') {
    throw new GatewayError('invalid_request', 'missing required field "model"', { param: 'model' });
  }
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw new GatewayError('invalid_request', '"input" must be a string or an array', { param: 'input' });
  }
  const config = ctx.state.loaded.config;
  const { alias, chain } = resolveModel(config, body.model, visibleTo(usageOf(ctx).caller ?? { name: null }));
  ctx.info.model = body.model;
  ctx.info.alias = alias;
  const attempts: AttemptRecord[] = [];
  ctx.info.attempts = attempts;
  const { limits } = await admitRequest(ctx, {
    config,
    model: body.model,
    alias,
    chain,
    body,
    cacheable: false,
    maxOutput: 0,
  });
  const offers = chain.filter((d) => adapterFor(d.provider.type, d.model).embeddings);
  const candidates = orderCandidates(offers, ctx.state.cooldowns, limits && ((d) => limits.waitMs(d) > 0));
  if (candidates.length === 0 && limits && offers.some((d) => limits.waitMs(d) > 0)) {
    const s = Math.max(1, Math.ceil(Math.min(...offers.map((d) => limits.waitMs(d) || 60_000)) / 1000));
    throw new GatewayError('rate_limit', `every deployment of "${alias}" is at its rpm/tpm limit`, {
      retryAfterS: s,
    });
  }
  if (candidates.length === 0) {
    throw new GatewayError('invalid_request', `no deployment of "${alias}" offers embeddings`, {
      param: 'model',
    });
  }
  let lastError: GatewayError | undefined;
  // Conditional entries (`fallback_on`) follow only failures of their kind, as in the router.
  let after: FailureKind | undefined = nextCandidate(candidates, 0, undefined) < 0 ? 'server' : undefined;
  for (const [i, d] of candidates.entries()) {
    if (!mayFollow(d, after)) continue;
    const adapter = adapterFor(d.provider.type, d.model);
    if (limits && !(await limits.acquire(d)).ok) {
      lastError ??= new GatewayError('rate_limit', `${d.id} is at its rpm/tpm limit`, { retryAfterS: 1 });
      continue;
    }
    ctx.info.deployment = d.id;
    ctx.info.fallbacks = i;
    const tr = adapter.embeddings!.translate;
    try {
      const upstreamBody = tr ? tr.request(body, d) : { ...body, model: d.model };
      const res = await ctx.upstream.request({
        url: joinUrl(
          d.provider.apiBase,
          tr ? tr.path(d) : (adapter.embeddings!.pathFor?.(d) ?? adapter.embeddings!.path),
        ),
        headers: { 'content-type': 'application/json', ...(await adapter.headers(d, ctx.req.headers)) },
        body: JSON.stringify(upstreamBody),
        signal: ctx.signal,
        timeoutMs: (d.timeoutS ?? config.router.timeoutS) * 1000,
      });
      const text = await res.body.text();
      attempts.push({ deployment: d.id, status: res.statusCode });
      if (res.statusCode >= 200 && res.statusCode < 300 && tr) {
        const inputTokens = await countInputs(body, d.model);
        const out = JSON.stringify(tr.response(JSON.parse(text), body, inputTokens));
        ctx.info.usage = { inputTokens, outputTokens: 0 };
        ctx.state.cooldowns.success(d.id);
        committed(ctx, d);
        return sendJson(ctx, 200, out, jsonAnswer(ctx, out, ctx.info.usage));
      }
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const parsed = JSON.parse(text) as { usage?: { prompt_tokens?: number } };
        ctx.info.usage = { inputTokens: parsed.usage?.prompt_tokens ?? 0, outputTokens: 0 };
        ctx.state.cooldowns.success(d.id);
        committed(ctx, d);
        return sendJson(ctx, 200, text, jsonAnswer(ctx, text, ctx.info.usage));
      }
      const f = adapter.classifyError(res.statusCode, text, {});
      ctx.state.cooldowns.failure(d.id, f, config.router.allowedFails, config.router.cooldownS);
      lastError = new GatewayError(
        f.kind === 'rate_limit' ? 'rate_limit' : 'upstream_error',
        `${d.id}: ${f.message}`,
        {
          status: res.statusCode,
          upstreamBody: tr ? undefined : text,
          upstreamDialect: tr ? undefined : 'openai-chat',
          retryAfterS: f.retryAfterS,
        },
      );
      if (f.kind === 'client') break;
      after = f.kind;
    } catch (e) {
      if (e instanceof GatewayError && e.code === 'invalid_request') throw e;
      const f = toFailure(e);
      after = f.kind;
      attempts.push({ deployment: d.id, status: null, error: f.message });
      lastError = new GatewayError(f.kind === 'timeout' ? 'timeout' : 'api_error', `${d.id}: ${f.message}`);
    }
  }
  throw lastError ?? new GatewayError('api_error', 'embeddings failed');
}

/** Input tokens of an embeddings request, for providers that do not report them. */
async function countInputs(body: Record<string, unknown>, model: string): Promise<number> {
  const inputs = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]);
  const { countTokensLocally } = await import('../usage/count-tokens.js');
  const messages = inputs.map((t) => ({
    role: 'user' as const,
    content: [{ type: 'text' as const, text: String(t) }],
  }));
  return countTokensLocally({ model, system: [], messages, stream: false }, model);
}
