import {
  retryAfterSeconds,
  type ErrorCode,
  type FailureKind,
  type GatewayError,
  type UpstreamFailure,
} from '../../errors.js';
import type { GeminiErrorBody } from './types.js';

/** The `google.rpc.Code` name Google uses for each gateway error code. */
const STATUS_NAME: Record<ErrorCode, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  auth_failed: 'UNAUTHENTICATED',
  permission_denied: 'PERMISSION_DENIED',
  budget_exceeded: 'RESOURCE_EXHAUSTED',
  model_not_found: 'NOT_FOUND',
  not_found: 'NOT_FOUND',
  rate_limit: 'RESOURCE_EXHAUSTED',
  upstream_error: 'UNAVAILABLE',
  upstream_unreachable: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  context_window_exceeded: 'INVALID_ARGUMENT',
  api_error: 'INTERNAL',
  payload_too_large: 'INVALID_ARGUMENT',
  unsupported_media_type: 'INVALID_ARGUMENT',
  method_not_allowed: 'INVALID_ARGUMENT',
  content_policy_violation: 'INVALID_ARGUMENT',
  not_implemented: 'UNIMPLEMENTED',
};

/** A gateway-made error in Google's error envelope. */
export function geminiErrorBody(err: GatewayError): GeminiErrorBody {
  const body: GeminiErrorBody = {
    error: { code: err.status, message: err.message, status: STATUS_NAME[err.code] ?? 'UNKNOWN' },
  };
  if (err.retryAfterS !== undefined)
    body.error.details = [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.ceil(err.retryAfterS)}s` },
    ];
  return body;
}

const CONTEXT_WINDOW =
  /input token count.*exceeds|exceeds the maximum number of tokens|too many tokens|context (?:length|window)|prompt is too long/i;

/**
 * Classify a non-2xx Gemini / Vertex answer: 429 (`RESOURCE_EXHAUSTED`) is a rate limit whose
 * `RetryInfo.retryDelay` becomes the wait; 400 about the input token count a context-window
 * failure; 5xx / 408 server trouble; 401 / 403 (bad key, no permission) and other 4xx the client's.
 * API keys echoed in messages are masked.
 */
export function classifyGeminiError(
  status: number,
  body: string,
  headers: Record<string, string>,
): UpstreamFailure {
  const parsed = parseError(body);
  const message = redact(parsed?.message ?? fallbackMessage(status, body));
  let kind: FailureKind;
  if (status === 429 || parsed?.status === 'RESOURCE_EXHAUSTED') kind = 'rate_limit';
  else if (status >= 500 || status === 408 || status === 409) kind = 'server';
  else if ((status === 400 || status === 413) && CONTEXT_WINDOW.test(message)) kind = 'context_window';
  else kind = 'client';
  const out: UpstreamFailure = { kind, status, message, body: redact(body), headers };
  const wait = retryAfterSeconds(headers) ?? retryDelayOf(parsed?.details);
  if (wait !== undefined) out.retryAfterS = wait;
  return out;
}

interface ParsedError {
  message?: string;
  status?: string;
  details?: unknown[];
}

function parseError(body: string): ParsedError | undefined {
  const t = body.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    let j = JSON.parse(t) as unknown;
    if (Array.isArray(j)) j = j[0]; // streamGenerateContent without alt=sse answers errors in an array
    const e = (j as { error?: ParsedError })?.error;
    return e && typeof e === 'object' ? e : undefined;
  } catch {
    return undefined;
  }
}

/** `RetryInfo.retryDelay` ("37s", "1.5s") in seconds. */
export function retryDelayOf(details: unknown[] | undefined): number | undefined {
  for (const d of details ?? []) {
    const delay = (d as { retryDelay?: unknown })?.retryDelay;
    if (typeof delay === 'string') {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

function fallbackMessage(status: number, body: string): string {
  const t = body.trim();
  if (t.length === 0 || t.startsWith('<')) return `Google returned HTTP ${status}`;
  return t.length > 500 ? `${t.slice(0, 500)}…` : t;
}

/** Google API keys (`AIza…`) and bearer tokens (`ya29.…`) never travel further. */
export function redact(text: string): string {
  return text.replace(/AIza[0-9A-Za-z_-]{10,}/g, 'AIza***').replace(/ya29\.[0-9A-Za-z_.-]+/g, 'ya29.***');
}
