/**
 * One error type for everything the gateway reports, with a closed set of codes. Each code knows
 * its HTTP status and whether the router may retry it or fall back on it. Rendering in a client's
 * dialect happens in the dialect modules.
 */

export type ErrorCode =
  | 'invalid_request'
  | 'auth_failed'
  | 'permission_denied'
  | 'budget_exceeded'
  | 'model_not_found'
  | 'not_found'
  | 'rate_limit'
  | 'upstream_error'
  | 'upstream_unreachable'
  | 'timeout'
  | 'context_window_exceeded'
  | 'content_policy_violation'
  | 'api_error'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_implemented';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  auth_failed: 401,
  permission_denied: 403,
  budget_exceeded: 402,
  model_not_found: 404,
  not_found: 404,
  rate_limit: 429,
  upstream_error: 502,
  upstream_unreachable: 502,
  timeout: 504,
  context_window_exceeded: 400,
  content_policy_violation: 400,
  api_error: 502,
  payload_too_large: 413,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  not_implemented: 501,
};

/** The OpenAI `error.type` / Anthropic `error.type` each code is rendered with. */
export const OPENAI_TYPE: Record<ErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  auth_failed: 'auth_failed',
  permission_denied: 'permission_denied',
  budget_exceeded: 'budget_exceeded',
  model_not_found: 'model_not_found',
  not_found: 'not_found',
  rate_limit: 'rate_limit',
  upstream_error: 'api_error',
  upstream_unreachable: 'api_error',
  timeout: 'timeout',
  context_window_exceeded: 'invalid_request_error',
  content_policy_violation: 'invalid_request_error',
  api_error: 'api_error',
  payload_too_large: 'invalid_request_error',
  unsupported_media_type: 'invalid_request_error',
  method_not_allowed: 'invalid_request_error',
  not_implemented: 'not_implemented',
};

export const ANTHROPIC_TYPE: Record<ErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  auth_failed: 'authentication_error',
  permission_denied: 'permission_error',
  budget_exceeded: 'billing_error',
  model_not_found: 'not_found_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  upstream_error: 'api_error',
  upstream_unreachable: 'api_error',
  timeout: 'timeout_error',
  context_window_exceeded: 'invalid_request_error',
  content_policy_violation: 'invalid_request_error',
  api_error: 'api_error',
  payload_too_large: 'request_too_large',
  unsupported_media_type: 'invalid_request_error',
  method_not_allowed: 'invalid_request_error',
  not_implemented: 'not_found_error',
};

export interface GatewayErrorOptions {
  status?: number;
  param?: string | null;
  retryAfterS?: number;
  /** Raw upstream body, passed through unmodified when the upstream speaks the client's dialect. */
  upstreamBody?: string;
  upstreamDialect?: string;
  upstreamHeaders?: Record<string, string>;
  cause?: unknown;
  /** The upstream attempts made before the request failed (for the response headers and the log line). */
  attempts?: ReadonlyArray<{ deployment: string; status: number | null; error?: string }>;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  readonly retryAfterS?: number;
  readonly upstreamBody?: string;
  readonly upstreamDialect?: string;
  readonly upstreamHeaders?: Record<string, string>;
  readonly attempts?: ReadonlyArray<{ deployment: string; status: number | null; error?: string }>;

  constructor(code: ErrorCode, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = opts.status ?? STATUS[code];
    this.param = opts.param ?? null;
    this.retryAfterS = opts.retryAfterS;
    this.upstreamBody = opts.upstreamBody;
    this.upstreamDialect = opts.upstreamDialect;
    this.upstreamHeaders = opts.upstreamHeaders;
    if (opts.attempts) this.attempts = opts.attempts;
  }
}

/** What one failed upstream attempt amounts to, for the retry and fallback tables. */
/**
 * `auth`: the upstream refused the deployment's own key (401/403). The client's key never goes
 * upstream, so the client's request is fine and the deployment is misconfigured: fall back.
 * `content_policy`: the upstream's content filter refused the request.
 */
export type FailureKind =
  | 'rate_limit'
  | 'context_window'
  | 'content_policy'
  /** This deployment cannot serve this request at all (e.g. no client credential for `auth: client`). */
  | 'unusable'
  | 'server'
  | 'network'
  | 'timeout'
  | 'client'
  | 'auth';

export interface UpstreamFailure {
  kind: FailureKind;
  status: number;
  message: string;
  /** Seconds the upstream asked us to wait (Retry-After / retry-after-ms), when it said. */
  retryAfterS?: number;
  /** Raw error body, for passthrough to a client of the same dialect. */
  body?: string;
  headers?: Record<string, string>;
  /** Cool the deployment down at once, even without a Retry-After (Bedrock's ThrottlingException). */
  coolNow?: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Map an undici / errno / our own error into an UpstreamFailure. */
export function toFailure(err: unknown): UpstreamFailure {
  if (err instanceof GatewayError) {
    const kind: FailureKind =
      err.code === 'timeout' ? 'timeout' : err.code === 'upstream_unreachable' ? 'network' : 'server';
    return { kind, status: err.status, message: err.message };
  }
  const e = err as { code?: string; message?: string; name?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return { kind: 'timeout', status: 504, message: describeCode(code) };
  if (NETWORK_CODES.has(code))
    return { kind: 'network', status: 502, message: describeCode(code, e?.message) };
  if (e?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
    return { kind: 'network', status: 499, message: 'request aborted' };
  }
  return { kind: 'network', status: 502, message: e?.message ?? String(err) };
}

function describeCode(code: string, message?: string): string {
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'timed out waiting for response headers';
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timed out waiting for response data';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'UND_ERR_SOCKET':
      return `socket error${message ? `: ${message}` : ''}`;
    default:
      return message ? `${code}: ${message}` : code;
  }
}

/** Retry-After of an upstream answer: `retry-after-ms`, then `retry-after` as seconds or an HTTP date. */
export function retryAfterSeconds(
  headers: Record<string, string>,
  now: number = Date.now(),
): number | undefined {
  const ms = headerOf(headers, 'retry-after-ms');
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n / 1000;
  }
  const ra = headerOf(headers, 'retry-after');
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (ra.trim() !== '' && Number.isFinite(secs)) return Math.max(0, secs);
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** A header by name, whatever its case in the record. */
export function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * Upstreams sometimes echo a credential in an error (a key in a message, a token in a body): every
 * secret this attempt carried is masked in the failure's message and body before anything reads them.
 */
export function maskSecrets(f: UpstreamFailure, secrets: Array<string | undefined>): UpstreamFailure {
  for (const s of secrets) {
    if (!s || s.length < 8) continue;
    if (f.message.includes(s)) f.message = f.message.split(s).join('***');
    if (f.body?.includes(s)) f.body = f.body.split(s).join('***');
  }
  return f;
}
