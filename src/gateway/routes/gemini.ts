import type { ClientDialect } from '../dialects/types.js';
import { geminiDialect, geminiErrorDialect, validateGeminiBody } from '../dialects/gemini.js';
import { GatewayError } from '../errors.js';
import { adapterFor } from '../providers/registry.js';
import { orderCandidates } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { joinUrl } from '../upstream/http.js';
import { visibleTo } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import { handleCompletion } from './completions.js';
import { sendJson, type RequestContext } from './context.js';
import { parseJsonBody } from './json-body.js';

/** A Gemini API route: `/{v1beta,v1}/models[/{model}:{action}]`. */
export interface GeminiRoute {
  method: 'GET' | 'POST';
  dialect: ClientDialect;
  handler: (ctx: RequestContext) => Promise<void> | void;
}

const ACTION = /^\/(?:v1beta|v1)\/models\/(.+):(generateContent|streamGenerateContent|countTokens)$/;
const LIST = /^\/(?:v1beta|v1)\/models$/;
const GET_ONE = /^\/(?:v1beta|v1)\/models\/([^:/]+)$/;

/**
 * The Gemini routes for a path, or undefined. `GET /v1/models` stays the OpenAI list; the Gemini
 * list answers on `/v1beta/models` (what the google-genai SDKs call).
 */
export function matchGeminiRoute(path: string): GeminiRoute | undefined {
  const m = ACTION.exec(path);
  if (m) {
    let model: string;
    try {
      model = decodeURIComponent(m[1]);
    } catch {
      return undefined;
    }
    if (m[2] === 'countTokens')
      return { method: 'POST', dialect: geminiErrorDialect, handler: (c) => countTokens(c, model) };
    const dialect = geminiDialect(model, m[2] === 'streamGenerateContent');
    return { method: 'POST', dialect, handler: (c) => handleCompletion(c, dialect) };
  }
  if (path.startsWith('/v1beta/') && LIST.test(path))
    return { method: 'GET', dialect: geminiErrorDialect, handler: listModels };
  const one = path.startsWith('/v1beta/') ? GET_ONE.exec(path) : null;
  if (one) return { method: 'GET', dialect: geminiErrorDialect, handler: (c) => getModel(c, one[1]) };
  return undefined;
}

function modelView(name: string): Record<string, unknown> {
  return {
    name: `models/${name}`,
    baseModelId: name,
    version: 'agentbox',
    displayName: name,
    description: `agentbox alias ${name}`,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  };
}

/** GET /v1beta/models: the aliases the calling key may use, as Gemini models. */
function listModels(ctx: RequestContext): void {
  const visible = visibleTo(usageOf(ctx).caller ?? { name: null });
  const models = ctx.state.loaded.config.models
    .filter((a) => !a.glob && visible(a.name))
    .map((a) => modelView(a.name));
  sendJson(ctx, 200, { models });
}

function getModel(ctx: RequestContext, name: string): void {
  const { alias } = resolveModel(ctx.state.loaded.config, decodeURIComponent(name));
  sendJson(ctx, 200, modelView(alias));
}

/**
 * `:countTokens`: forwarded when the first usable deployment speaks Gemini natively, else counted
 * locally with a real tokenizer over what the upstream would see. Never a silent zero.
 */
async function countTokens(ctx: RequestContext, model: string): Promise<void> {
  const body = parseJsonBody(ctx.body);
  const inner = (body.generateContentRequest ?? body) as Record<string, unknown>;
  validateGeminiBody(inner);
  const config = ctx.state.loaded.config;
  const { alias, chain } = resolveModel(config, model);
  ctx.info.model = model;
  ctx.info.alias = alias;
  const [d] = orderCandidates(chain, ctx.state.cooldowns);
  if (!d) throw new GatewayError('api_error', `no deployment of "${alias}" can serve`, { status: 503 });
  ctx.info.deployment = d.id;
  const adapter = adapterFor(d.provider.type, d.model);
  const wire = adapter.wires.gemini;
  if (wire?.pathFor) {
    const path = wire.pathFor(d, false).replace(/:generateContent$/, ':countTokens');
    const { model: _drop, ...rest } = inner;
    const res = await ctx.upstream.request({
      url: joinUrl(d.provider.apiBase, path),
      headers: { 'content-type': 'application/json', ...(await adapter.headers(d, ctx.req.headers)) },
      body: JSON.stringify({ contents: rest.contents }),
      signal: ctx.signal,
      timeoutMs: (d.timeoutS ?? config.router.timeoutS) * 1000,
    });
    const text = await res.body.text();
    ctx.info.attempts = [{ deployment: d.id, status: res.statusCode }];
    return sendJson(ctx, res.statusCode, text);
  }
  const canonical = geminiDialect(model, false).decodeRequest(inner);
  const { countTokensLocally } = await import('../usage/count-tokens.js');
  sendJson(ctx, 200, { totalTokens: countTokensLocally(canonical, d.model) });
}
