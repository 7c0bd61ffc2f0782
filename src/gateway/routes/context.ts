import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Usage } from '../canonical.js';
import type { ClientDialect } from '../dialects/types.js';
import { GatewayError } from '../errors.js';
import type { Upstream } from '../upstream/http.js';
import type { GatewayState } from '../state.js';
import type { Logger } from '../../shared/log.js';
import type { AttemptRecord } from '../router/dispatch.js';
import { DROPPED_HEADER } from '../params/sink.js';

/** Everything one request handler needs; `info` collects what the request's log line reports. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  signal: AbortSignal;
  requestId: string;
  started: number;
  state: GatewayState;
  log: Logger;
  upstream: Upstream;
  info: {
    route: string;
    model?: string;
    alias?: string;
    deployment?: string;
    attempts?: AttemptRecord[];
    fallbacks?: number;
    /** Request parameters dropped for the deployment that answered (drop_params). */
    dropped?: readonly string[];
    stream?: boolean;
    usage?: Usage;
    error?: string;
  };
}

export function baseHeaders(ctx: RequestContext): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.info.deployment) h['x-agentbox-deployment'] = ctx.info.deployment;
  if (ctx.info.attempts) h['x-agentbox-attempts'] = String(ctx.info.attempts.length);
  if (ctx.info.fallbacks !== undefined) h['x-agentbox-fallbacks'] = String(ctx.info.fallbacks);
  if (ctx.info.dropped?.length) h[DROPPED_HEADER] = ctx.info.dropped.join(',');
  return h;
}

export function sendJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  ctx.res.writeHead(status, {
    ...baseHeaders(ctx),
    ...extra,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  ctx.res.end(text);
}

/** Render an error in the client's dialect; an upstream body in the client's dialect goes back unmodified. */
export function sendError(ctx: RequestContext, dialect: ClientDialect, e: unknown): void {
  const err =
    e instanceof GatewayError
      ? e
      : new GatewayError('api_error', `internal error: ${(e as Error)?.message ?? String(e)}`);
  ctx.info.error = err.message;
  if (ctx.res.headersSent) {
    ctx.res.end();
    return;
  }
  const extra: Record<string, string> = {};
  if (err.retryAfterS !== undefined) extra['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterS)));
  if (err.upstreamBody !== undefined && err.upstreamDialect === dialect.name) {
    sendJson(ctx, err.status, err.upstreamBody, extra);
    return;
  }
  sendJson(ctx, err.status, dialect.errorBody(err), extra);
}
