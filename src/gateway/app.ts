import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../shared/log.js';
import { own } from '../shared/own.js';
import { anthropicMessagesDialect } from './dialects/anthropic-messages.js';
import { openaiChatDialect } from './dialects/openai-chat.js';
import { openaiResponsesDialect } from './dialects/openai-responses.js';
import type { ClientDialect } from './dialects/types.js';
import { GatewayError } from './errors.js';
import { applyCors, checkBrowserGuard, checkJsonContentType, type GuardSettings } from './guard.js';
import { handleCompletion } from './routes/completions.js';
import { sendError, skippedList, type RequestContext } from './routes/context.js';
import { handleCountTokens } from './routes/count-tokens.js';
import { handleEmbeddings } from './routes/embeddings.js';
import { handleHealth, handleModelInfo } from './routes/info.js';
import { handleModel, handleModels } from './routes/models-list.js';
import { handleKeyInfo, handleSpendLogs, managementError } from './routes/litellm-compat.js';
import { matchGeminiRoute } from './routes/gemini.js';
import { handleMetrics } from './routes/metrics.js';
import { handleThreads, handleToolCall } from './routes/mcp-tools.js';
import { isUpgradeRequest, refuseUpgrade } from './routes/upgrade.js';
import { handleUiEvents, handleUiPage, handleUiState } from './observe/ui-routes.js';
import type { GatewayState } from './state.js';
import type { Upstream } from './upstream/http.js';
import { finishRequest } from './usage/finish.js';
import { identify, visibleTo } from './usage/keys.js';
import { usageOf } from './usage/request-info.js';
import type { ClientSignal } from './client-signal.js';

export interface AppDeps {
  state: GatewayState;
  upstream: Upstream;
  log: Logger;
  /** Extra routes mounted by the daemon (e.g. `/mcp`), matched after the built-in ones. */
  extraRoutes?: Record<string, (ctx: RequestContext) => Promise<void> | void>;
}

const EMPTY = Buffer.alloc(0);

type Handler = (ctx: RequestContext) => Promise<void> | void;
interface Route {
  method: 'GET' | 'POST';
  handler: Handler;
  dialect: ClientDialect;
  auth: boolean;
}

export interface App {
  /** The checks on the request head alone (see guard.ts): a refusal to answer without reading the body. */
  screen(req: IncomingMessage): GatewayError | undefined;
  /** Serve a request; `body` is an error when reading it failed (too large, stalled): it is answered in the route's dialect. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | GatewayError,
    signal: ClientSignal,
  ): Promise<void>;
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
    '/v1/agentbox/threads': {
      method: 'POST',
      handler: handleThreads,
      dialect: openaiChatDialect,
      auth: true,
    },
    '/v1/agentbox/tool-calls': {
      method: 'POST',
      handler: handleToolCall,
      dialect: openaiChatDialect,
      auth: true,
    },
    '/key/info': { method: 'GET', handler: handleKeyInfo, dialect: openaiChatDialect, auth: true },
    '/spend/logs': { method: 'GET', handler: handleSpendLogs, dialect: openaiChatDialect, auth: true },
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
    '/ui': { method: 'GET', handler: handleUiPage, dialect: openaiChatDialect, auth: false },
    '/ui/state': { method: 'GET', handler: handleUiState, dialect: openaiChatDialect, auth: true },
    '/ui/events': { method: 'GET', handler: handleUiEvents, dialect: openaiChatDialect, auth: true },
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

  // One settings object while the config's values stay the same.
  let g: GuardSettings | undefined;
  const guard = (): GuardSettings => {
    const c = deps.state.loaded.config;
    if (
      !g ||
      g.listenHost !== c.host ||
      g.allowedHosts !== c.allowedHosts ||
      g.allowedOrigins !== c.allowedOrigins
    ) {
      g = { listenHost: c.host, allowedHosts: c.allowedHosts, allowedOrigins: c.allowedOrigins };
    }
    return g;
  };

  // Requests `screen` let through, and whether it checked their Content-Type too (a POST to one
  // of the fixed routes): `handle` does not check those a second time.
  const screened = new WeakMap<IncomingMessage, boolean>();
  return {
    // A body is read only for a request that passes the guard and, on a POST route, declares JSON.
    screen(req) {
      const path = pathOf(req);
      const route = own(routes, path);
      const typed = req.method === 'POST' && route?.method === 'POST';
      const refused =
        checkBrowserGuard(req, guard()) ?? (typed ? checkJsonContentType(req, path) : undefined);
      if (!refused) screened.set(req, typed);
      return refused;
    },
    async handle(req, res, received, signal) {
      const body = Buffer.isBuffer(received) ? received : EMPTY;
      const path = pathOf(req);
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
      const route = own(routes, path) ?? geminiRoute(path) ?? modelRoute(path);
      const dialect = route?.dialect ?? openaiChatDialect;
      const counted = route !== undefined && route.method === 'POST';
      if (counted && deps.state.tracing) ctx.trace = deps.state.tracing.start(ctx);
      if (counted) {
        deps.state.stats.total++;
        deps.state.stats.inFlight++;
        settleBeforeEnd(ctx);
      }
      try {
        const typed = screened.get(req);
        const refused = typed !== undefined ? undefined : checkBrowserGuard(req, guard());
        if (refused) throw refused;
        if (applyCors(req, res, guard())) return;
        if (!Buffer.isBuffer(received)) throw received;
        if (req.method === 'HEAD') {
          // Clients pre-connect with a HEAD on the base URL; answer it without a body.
          res.writeHead(route || path === '/' ? 200 : 404, { 'x-request-id': ctx.requestId });
          res.end();
          return;
        }
        if (isUpgradeRequest(req)) return refuseUpgrade(req, res, ctx.requestId);
        if (!route)
          throw managementError(path) ?? new GatewayError('not_found', `no route ${req.method} ${path}`);
        if (req.method !== route.method) {
          throw new GatewayError('method_not_allowed', `${path} accepts ${route.method}, not ${req.method}`);
        }
        // With `keys:` only those keys and the master key pass; the caller's name goes to the log and ledger.
        if (route.auth) usageOf(ctx).caller = identify(req, deps.state.loaded.config);
        const notJson = route.method === 'POST' && !typed ? checkJsonContentType(req, path) : undefined;
        if (notJson) throw notJson;
        await route.handler(ctx);
      } catch (e) {
        sendError(ctx, dialect, e);
      } finally {
        if (counted) {
          deps.state.stats.inFlight--;
          if (res.statusCode >= 400 || ctx.info.error) deps.state.stats.failed++;
          settle(ctx); // when the response was never ended (e.g. the client went away first)
          logLine(ctx, requestLog);
          try {
            ctx.trace?.end(ctx);
          } catch (e) {
            ctx.log.error({ id: ctx.requestId, error: (e as Error).message }, 'trace span failed');
          }
        }
      }
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

const settled = new WeakSet<RequestContext>();

/** Price the request, settle its budget and limits, and append its ledger record: once. */
function settle(ctx: RequestContext): void {
  if (settled.has(ctx)) return;
  settled.add(ctx);
  try {
    finishRequest(ctx);
  } catch (e) {
    ctx.log.error({ id: ctx.requestId, error: (e as Error).message }, 'usage accounting failed');
  }
}

/**
 * The request is settled (its ledger record handed to the kernel) right before the response's last
 * byte is: a client that has its whole answer has its record on disk, even if the daemon is then
 * killed with SIGKILL.
 */
function settleBeforeEnd(ctx: RequestContext): void {
  const res = ctx.res;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    settle(ctx);
    return end(...args);
  }) as ServerResponse['end'];
}

/** `/v1beta/models/{model}:generateContent` and friends carry the model in the path. */
function geminiRoute(path: string): Route | undefined {
  const g = matchGeminiRoute(path);
  return g && { ...g, auth: true };
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

/** GET /v1/models: the aliases the calling key may use. */
const listModels = (c: RequestContext): void =>
  handleModels(c, visibleTo(usageOf(c).caller ?? { name: null }));

/** GET /v1/models/{id} (`models.retrieve` in both SDKs); the id may be `provider/model`, encoded or not. */
function modelRoute(path: string): Route | undefined {
  const m = /^(?:\/v1)?\/models\/(.+)$/.exec(path);
  if (!m) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    id = m[1];
  }
  return {
    method: 'GET',
    handler: (c) => handleModel(c, id, visibleTo(usageOf(c).caller ?? { name: null })),
    dialect: openaiChatDialect,
    auth: true,
  };
}

function switchReasons(i: RequestContext['info']): string[] | undefined {
  const out = (i.attempts ?? []).filter((a) => a.error).map((a) => `${a.deployment}: ${a.error}`);
  if (i.skipped) out.unshift(...i.skipped);
  return out.length > 0 ? out : undefined;
}

/**
 * The request line has fixed fields that never hold a secret, so it goes through a child logger
 * without the wildcard redaction (which walks every object and costs ~10 µs per line).
 */
function logLine(ctx: RequestContext, log: Logger): void {
  const i = ctx.info;
  const u = usageOf(ctx);
  const status = ctx.res.statusCode;
  // Refused requests (4xx) are the caller's to fix: warn; failures of the gateway or upstream (5xx): error.
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  // A cost only when something was billed: an upstream answered, or the cache did (at $0).
  const billed = u.servedBy !== undefined || u.cache === 'hit';
  const ms = Date.now() - ctx.started;
  const cost = billed && typeof u.usd === 'number' ? u.usd : undefined;
  log[level](
    {
      id: ctx.requestId,
      route: i.route,
      key_name: u.caller?.name ?? undefined,
      model: i.model,
      deployment: i.deployment,
      attempts: i.attempts?.length ?? 0,
      fallbacks: i.fallbacks,
      // Why the request did not go to the chain's first deployment: failed attempts and skipped entries.
      switched: switchReasons(i),
      stream: i.stream,
      status,
      ms,
      input_tokens: i.usage?.inputTokens,
      output_tokens: i.usage?.outputTokens,
      cache_read_tokens: i.usage?.cacheReadTokens,
      cache_write_tokens: i.usage?.cacheWriteTokens,
      cost_usd: cost,
      tokens_estimated: u.estimated,
      cache: u.cache,
      trait_route: i.traitRoute,
      affinity: i.affinity,
      skipped: skippedList(i.attempts),
      error: i.error,
    },
    'request',
  );
  ctx.state.feed.push({
    at: new Date(ctx.started).toISOString(),
    id: ctx.requestId,
    route: i.route,
    key_name: u.caller?.name ?? undefined,
    model: i.model,
    deployment: i.deployment,
    status,
    input_tokens: i.usage?.inputTokens,
    output_tokens: i.usage?.outputTokens,
    cost_usd: cost,
    ms,
    fallbacks: i.fallbacks,
    error: i.error,
  });
}
