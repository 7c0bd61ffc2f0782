import { retryAfterSeconds, type FailureKind, type UpstreamFailure } from '../../errors.js';

export { retryAfterSeconds };

const CONTEXT_PATTERNS = /maximum context length|context length|context_length_exceeded|too many tokens/i;

/**
 * Classify a non-2xx answer from an OpenAI-format upstream for the retry and fallback tables.
 * `headers` are the response headers (any case). `now` is for HTTP-date Retry-After values.
 */
export function classifyOpenAIError(
  status: number,
  body: string,
  headers: Record<string, string>,
  now: number = Date.now(),
): UpstreamFailure {
  const err = errorObject(body);
  const message = redactKeys(errorMessage(err, body, status));
  let kind: FailureKind;
  if (status === 429) kind = 'rate_limit';
  else if (status === 401 || status === 403) kind = 'auth';
  else if (status >= 500 || status === 408 || status === 409) kind = 'server';
  else if ((status === 400 || status === 413) && isContextWindow(err, message)) kind = 'context_window';
  else if (status === 400 && isContentPolicy(err, message)) kind = 'content_policy';
  else kind = 'client';
  const failure: UpstreamFailure = { kind, status, message, body, headers };
  const retryAfterS = retryAfterSeconds(headers, now);
  if (retryAfterS !== undefined) failure.retryAfterS = retryAfterS;
  return failure;
}

function errorObject(body: string): Record<string, unknown> | undefined {
  if (!body || body.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const e = parsed?.error;
    if (e && typeof e === 'object') return e as Record<string, unknown>;
    if (typeof e === 'string') return { message: e };
    if (typeof parsed?.message === 'string') return parsed;
  } catch {
    // not JSON: the text itself is the message
  }
  return undefined;
}

function errorMessage(err: Record<string, unknown> | undefined, body: string, status: number): string {
  if (typeof err?.message === 'string' && err.message.length > 0) return err.message;
  const text = body.trim();
  if (text.length === 0) return `HTTP ${status}`;
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function isContextWindow(err: Record<string, unknown> | undefined, message: string): boolean {
  return err?.code === 'context_length_exceeded' || CONTEXT_PATTERNS.test(message);
}

const CONTENT_POLICY_CODES = new Set(['content_policy_violation', 'content_filter']);

function isContentPolicy(err: Record<string, unknown> | undefined, message: string): boolean {
  return (
    CONTENT_POLICY_CODES.has(String(err?.code)) ||
    /content (management )?policy|content filter/i.test(message)
  );
}

/** Upstreams sometimes echo (part of) the key in their messages: never carry one further. */
function redactKeys(message: string): string {
  return message.replace(/\bsk-[A-Za-z0-9_*.-]{6,}/g, 'sk-***');
}
