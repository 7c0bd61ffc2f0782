import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Usage } from '../canonical.js';
import type { ClientDialect } from '../dialects/types.js';
import { GatewayError } from '../errors.js';
import type { Upstream } from '../upstream/http.js';
import type { GatewayState } from '../state.js';
import type { Logger } from '../../shared/log.js';
import type { AttemptRecord } from '../router/dispatch.js';
import type { RequestTrace } from '../observe/tracing.js';
import { configSecrets } from '../secrets.js';
import { scrubSecrets } from '../../shared/scrub-secret.js';
import { DROPPED_HEADER } from '../params/sink.js';
import type { ClientSignal } from '../client-signal.js';

/** Everything one request handler needs; `info` collects what the request's log line reports. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  signal: ClientSignal;
  requestId: string;
  started: number;
  state: GatewayState;
  log: Logger;
  upstream: Upstream;
  /** This request's trace span, when tracing is on. */
  trace?: RequestTrace;
  info: {
    route: string;
    model?: string;
    alias?: string;
    deployment?: string;
    attempts?: AttemptRecord[];
    fallbacks?: number;
    /** Chain entries passed over without an attempt, with why. */
    skipped?: string[];
    /** Request parameters dropped for the deployment that answered (drop_params). */
    dropped?: readonly string[];
    stream?: boolean;
    usage?: Usage;
    error?: string;
    /** The `litellm.routes` trait that sent the request to another alias. */
    traitRoute?: string;
    /** Session affinity: none, new, stuck or moved. */
    affinity?: string;
  };
}

export function baseHeaders(ctx: RequestContext): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.info.deployment) h['x-agentbox-deployment'] = ctx.info.deployment;
  if (ctx.info.attempts) h['x-agentbox-attempts'] = String(ctx.info.attempts.length);
  if (ctx.info.fallbacks !== undefined) h['x-agentbox-fallbacks'] = String(ctx.info.fallbacks);
  if (ctx.info.traitRoute) h['x-agentbox-route'] = ctx.info.traitRoute;
  const skipped = skippedList(ctx.info.attempts);
  if (skipped) h['x-agentbox-skipped'] = skipped;
  if (ctx.info.dropped?.length) h[DROPPED_HEADER] = ctx.info.dropped.join(',');
  return h;
}

/** `provider/model (reason); …` for the deployments skipped untried, or undefined. */
export function skippedList(attempts: AttemptRecord[] | undefined): string | undefined {
  const s = attempts?.filter((a) => a.skipped);
  if (!s?.length) return undefined;
  return s.map((a) => `${a.deployment} (${(a.error ?? '').replace(/^skipped: /, '')})`).join('; ');
}

export function sendJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  // A Buffer is JSON already encoded as UTF-8 (a translated answer, see upstream/byte-form.ts).
  const raw: string | Buffer =
    typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  // An error body may hold an upstream's words, and upstreams echo keys: none leaves.
  const text = status >= 400 ? scrubSecrets(raw.toString(), configSecrets(ctx.state.loaded.config)) : raw;
  // Filled in place rather than spread into a literal: see NO_SPREAD_NOTE in router/dispatch.ts.
  const headers = Object.assign(baseHeaders(ctx), extra);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  ctx.res.writeHead(status, headers);
  ctx.res.end(text);
}

/** Render an error in the client's dialect; an upstream body in the client's dialect goes back unmodified. */
export function sendError(ctx: RequestContext, dialect: ClientDialect, e: unknown): void {
  const err = e instanceof GatewayError ? e : internalError(ctx, e);
  if (e instanceof GatewayError)
    ctx.info.error = scrubSecrets(err.message, configSecrets(ctx.state.loaded.config));
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

/**
 * A fault in the gateway itself: the client gets a generic 500 with the request id; the message
 * (which may describe internals) goes to the log and the request's log line only.
 */
function internalError(ctx: RequestContext, e: unknown): GatewayError {
  const message = (e as Error)?.message ?? String(e);
  ctx.info.error = `internal error: ${message}`;
  ctx.log.error({ id: ctx.requestId, error: message, stack: (e as Error)?.stack }, 'internal error');
  return new GatewayError(
    'api_error',
    `internal error (request ${ctx.requestId}); the gateway log has the details`,
    {
      status: 500,
    },
  );
}
