import { GatewayError } from '../errors.js';
import { adapterFor } from '../providers/registry.js';
import { orderCandidates, type AttemptRecord } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { joinUrl } from '../upstream/http.js';
import { toFailure } from '../errors.js';
import { sendJson, type RequestContext } from './context.js';
import { parseJsonBody } from './json-body.js';

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
  const { alias, chain } = resolveModel(config, body.model);
  ctx.info.model = body.model;
  ctx.info.alias = alias;
  const attempts: AttemptRecord[] = [];
  ctx.info.attempts = attempts;
  const candidates = orderCandidates(chain, ctx.state.cooldowns).filter((d) => adapterFor(d.provider.type).embeddings);
  if (candidates.length === 0) {
    throw new GatewayError('invalid_request', `no deployment of "${alias}" offers embeddings`, { param: 'model' });
  }
  let lastError: GatewayError | undefined;
  for (const [i, d] of candidates.entries()) {
    const adapter = adapterFor(d.provider.type);
    ctx.info.deployment = d.id;
    ctx.info.fallbacks = i;
    try {
      const res = await ctx.upstream.request({
        url: joinUrl(d.provider.apiBase, adapter.embeddings!.path),
        headers: { 'content-type': 'application/json', ...adapter.headers(d, ctx.req.headers) },
        body: JSON.stringify({ ...body, model: d.model }),
        signal: ctx.signal,
        timeoutMs: (d.timeoutS ?? config.router.timeoutS) * 1000,
      });
      const text = await res.body.text();
      attempts.push({ deployment: d.id, status: res.statusCode });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const parsed = JSON.parse(text) as { usage?: { prompt_tokens?: number } };
        ctx.info.usage = { inputTokens: parsed.usage?.prompt_tokens ?? 0, outputTokens: 0 };
        ctx.state.cooldowns.success(d.id);
        return sendJson(ctx, 200, text);
      }
      const f = adapter.classifyError(res.statusCode, text, {});
      ctx.state.cooldowns.failure(d.id, f, config.router.allowedFails, config.router.cooldownS);
      lastError = new GatewayError(f.kind === 'rate_limit' ? 'rate_limit' : 'upstream_error', `${d.id}: ${f.message}`, {
        status: res.statusCode,
        upstreamBody: text,
        upstreamDialect: 'openai-chat',
        retryAfterS: f.retryAfterS,
      });
      if (f.kind === 'client') break;
    } catch (e) {
      const f = toFailure(e);
      attempts.push({ deployment: d.id, status: null, error: f.message });
      lastError = new GatewayError(f.kind === 'timeout' ? 'timeout' : 'api_error', `${d.id}: ${f.message}`);
    }
  }
  throw lastError ?? new GatewayError('api_error', 'embeddings failed');
}
