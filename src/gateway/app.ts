import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../shared/log.js';
import { anthropicMessagesDialect } from './dialects/anthropic-messages.js';
import { openaiChatDialect } from './dialects/openai-chat.js';
import { openaiResponsesDialect } from './dialects/openai-responses.js';
import type { ClientDialect } from './dialects/types.js';
import { GatewayError } from './errors.js';
import { handleCompletion } from './routes/completions.js';
import { sendError, skippedList, type RequestContext } from './routes/context.js';
import { handleCountTokens } from './routes/count-tokens.js';
import { handleEmbeddings } from './routes/embeddings.js';
import { handleHealth, handleModelInfo, handleModels } from './routes/info.js';
import { handleMetrics } from './routes/metrics.js';
import { isUpgradeRequest, refuseUpgrade } from './routes/upgrade.js';
import type { GatewayState } from './state.js';
import type { Upstream } from './upstream/http.js';
import { finishRequest } from './usage/finish.js';
import { identify, visibleTo } from './usage/keys.js';
import { usageOf } from './usage/request-info.js';

export interface AppDeps {
  state: GatewayState;
  upstream: Upstream;
  log: Logger;
  /** Extra routes mounted by the daemon (e.g. `/mcp`), matched after the built-in ones. */
  extraRoutes?: Record<string, (ctx: RequestContext) => Promise<void> | void>;
}

type Handler = (ctx: RequestContext) => Promise<void> | void;
interface Route {
  method: 'GET' | 'POST';
  handler: Handler;
  dialect: ClientDialect;
  auth: boolean;
}

export interface App {
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer, signal: AbortSignal): Promise<void>;
}

/** The route table, auth, request ids, error rendering and the per-request log line. Testable in-process. */
export function createApp(deps: AppDeps): App {
  const requestLog = deps.log.child({}, { redact: [] });
  const chat: Route = {
    method: 'POST',
    handler: (c) => handleCompletion(c, openaiChatDialect),
    dialect: openaiChatDialect,
    auth: true,
  };
  const messages: Route = {
    method: 'POST',
    handler: (c) => handleCompletion(c, anthropicMessagesDialect),
    dialect: anthropicMessagesDialect,
    auth: true,
  };
  const routes: Record<string, Route> = {
    '/v1/chat/completions': chat,
    '/chat/completions': chat,
    '/v1/messages': messages,
    '/v1/messages/count_tokens': {
      method: 'POST',
      handler: handleCountTokens,
      dialect: anthropicMessagesDialect,
      auth: true,
    },
    '/v1/responses': {
      method: 'POST',
      handler: (c) => handleCompletion(c, openaiResponsesDialect),
      dialect: openaiResponsesDialect,
      auth: true,
    },
    '/responses': {
      method: 'POST',
      handler: (c) => handleCompletion(c, openaiResponsesDialect),
      dialect: openaiResponsesDialect,
      auth: true,
    },
    '/v1/embeddings': { method: 'POST', handler: handleEmbeddings, dialect: openaiChatDialect, auth: true },
    '/embeddings': { method: 'POST', handler: handleEmbeddings, dialect: openaiChatDialect, auth: true },
    '/v1/models': { method: 'GET', handler: listModels, dialect: openaiChatDialect, auth: true },
    '/models': { method: 'GET', handler: listModels, dialect: openaiChatDialect, auth: true },
    '/metrics': { method: 'GET', handler: handleMetrics, dialect: openaiChatDialect, auth: true },
    '/model/info': { method: 'GET', handler: handleModelInfo, dialect: openaiChatDialect, auth: true },
    '/v1/model/info': { method: 'GET', handler: handleModelInfo, dialect: openaiChatDialect, auth: true },
    '/health/liveliness': {
      method: 'GET',
      handler: (c) => handleHealth(c, 'liveliness'),
      dialect: openaiChatDialect,
      auth: false,
    },
    '/health/liveness': {
      method: 'GET',
      handler: (c) => handleHealth(c, 'liveliness'),
      dialect: openaiChatDialect,
      auth: false,
    },
    '/health/readiness': {
      method: 'GET',
      handler: (c) => handleHealth(c, 'readiness'),
      dialect: openaiChatDialect,
      auth: false,
    },
    '/health': {
      method: 'GET',
      handler: (c) => handleHealth(c, 'full'),
      dialect: openaiChatDialect,
      auth: true,
    },
  };
  for (const [path, handler] of Object.entries(deps.extraRoutes ?? {})) {
    routes[path] = { method: 'POST', handler, dialect: openaiChatDialect, auth: true };
  }

  return {
    async handle(req, res, body, signal) {
      const q = req.url?.indexOf('?') ?? -1;
      const path = q === -1 ? (req.url ?? '/') : req.url!.slice(0, q);
      const ctx: RequestContext = {
        req,
        res,
        body,
        signal,
        requestId: headerValue(req, 'x-request-id') ?? `req_${randomUUID().replace(/-/g, '')}`,
        started: Date.now(),
        state: deps.state,
        log: deps.log,
        upstream: deps.upstream,
        info: { route: path },
      };
      usageOf(ctx).t0 = performance.now();
      const route = routes[path];
      const dialect = route?.dialect ?? openaiChatDialect;
      const counted = route !== undefined && route.method === 'POST';
      if (counted) {
        deps.state.stats.total++;
        deps.state.stats.inFlight++;
      }
      try {
        if (req.method === 'HEAD') {
          // Clients pre-connect with a HEAD on the base URL; answer it without a body.
          res.writeHead(route || path === '/' ? 200 : 404, { 'x-request-id': ctx.requestId });
          res.end();
          return;
        }
        if (isUpgradeRequest(req)) return refuseUpgrade(req, res, ctx.requestId);
        if (!route) throw new GatewayError('not_found', `no route ${req.method} ${path}`);
        if (req.method !== route.method) {
          throw new GatewayError('method_not_allowed', `${path} accepts ${route.method}, not ${req.method}`);
        }
        // With `keys:` only those keys and the master key pass; the caller's name goes to the log and ledger.
        if (route.auth) usageOf(ctx).caller = identify(req, deps.state.loaded.config);
        if (route.method === 'POST') checkContentType(req, path);
        await route.handler(ctx);
      } catch (e) {
        sendError(ctx, dialect, e);
      } finally {
        if (counted) {
          deps.state.stats.inFlight--;
          if (res.statusCode >= 400 || ctx.info.error) deps.state.stats.failed++;
          try {
            finishRequest(ctx);
          } catch (e) {
            ctx.log.error({ id: ctx.requestId, error: (e as Error).message }, 'usage accounting failed');
          }
          logLine(ctx, requestLog);
        }
      }
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** With a master key set, `Authorization: Bearer K` or `x-api-key: K` must match it (timing-safe). */
export function authenticate(req: IncomingMessage, masterKey: string | undefined): string | undefined {
  const presented = presentedKey(req);
  if (!masterKey) return presented;
  if (presented === undefined)
    throw new GatewayError('auth_failed', 'missing API key: send Authorization: Bearer <key> or x-api-key');
  const a = Buffer.from(presented);
  const b = Buffer.from(masterKey);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new GatewayError('auth_failed', 'invalid API key');
  return presented;
}

export function presentedKey(req: IncomingMessage): string | undefined {
  const auth = headerValue(req, 'authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return headerValue(req, 'x-api-key')?.trim() || undefined;
}

function checkContentType(req: IncomingMessage, path: string): void {
  const ct = headerValue(req, 'content-type');
  if (ct && !/json/i.test(ct)) {
    throw new GatewayError(
      'unsupported_media_type',
      `${path} expects content-type application/json, got ${ct}`,
    );
  }
}

/** GET /v1/models: the aliases the calling key may use. */
const listModels = (c: RequestContext): void =>
  handleModels(c, visibleTo(usageOf(c).caller ?? { name: null }));

/**
 * The request line has fixed fields that never hold a secret, so it goes through a child logger
 * without the wildcard redaction (which walks every object and costs ~10 µs per line).
 */
function logLine(ctx: RequestContext, log: Logger): void {
  const i = ctx.info;
  const u = usageOf(ctx);
  log.info(
    {
      id: ctx.requestId,
      route: i.route,
      key_name: u.caller?.name ?? undefined,
      model: i.model,
      deployment: i.deployment,
      attempts: i.attempts?.length ?? 0,
      fallbacks: i.fallbacks,
      stream: i.stream,
      status: ctx.res.statusCode,
      ms: Date.now() - ctx.started,
      input_tokens: i.usage?.inputTokens,
      output_tokens: i.usage?.outputTokens,
      cache_read_tokens: i.usage?.cacheReadTokens,
      cache_write_tokens: i.usage?.cacheWriteTokens,
      cost_usd: u.usd,
      cache: u.cache,
      trait_route: i.traitRoute,
      affinity: i.affinity,
      skipped: skippedList(i.attempts),
      error: i.error,
    },
    'request',
  );
}
