import { retryAfterSeconds, type FailureKind, type UpstreamFailure } from '../../errors.js';
import { planUsageLimit } from './usage-limit.js';

/** Anthropic's wording for a request that does not fit the model's context window. */
const CONTEXT_WINDOW =
  /prompt is too long|context (?:length|window)|exceeds? (?:the )?(?:model'?s? )?(?:maximum )?context|exceed context limit|too many (?:input )?tokens/i;

/**
 * Classify a non-2xx Anthropic answer for the retry and fallback tables: 429 rate limit (with the
 * wait it asked for), 529 overloaded / 5xx / 408 / 409 server trouble worth retrying, a 400 about
 * prompt length a context-window failure (another deployment may fit it), other 4xx the client's.
 * The message comes from `error.message` when the body is Anthropic's JSON; the body is kept raw.
 * A subscription plan's usage-limit 429 waits until the plan's reset time.
 */
export function classifyAnthropicError(
  status: number,
  body: string,
  headers: Record<string, string>,
): UpstreamFailure {
  const message = errorMessage(status, body);
  let kind: FailureKind;
  if (status === 429) kind = 'rate_limit';
  else if (status === 401 || status === 403) kind = 'auth';
  else if (status >= 500 || status === 408 || status === 409) kind = 'server';
  else if ((status === 400 || status === 413) && CONTEXT_WINDOW.test(message)) kind = 'context_window';
  else if (status === 400 && /content filtering policy|content policy/i.test(message))
    kind = 'content_policy';
  else kind = 'client';
  const out: UpstreamFailure = { kind, status, message, body };
  const retryAfterS = retryAfterSeconds(headers);
  if (retryAfterS !== undefined) out.retryAfterS = retryAfterS;
  const plan = status === 429 ? planUsageLimit(headers) : undefined;
  if (plan) {
    // The deployment cools down until the plan resets, so the chain serves from the next one until then.
    out.retryAfterS = Math.max(plan.resetInS, retryAfterS ?? 0);
    out.message = `plan usage limit reached${plan.window ? ` (${plan.window})` : ''}; resets at ${plan.resetAt}`;
  }
  return out;
}

function errorMessage(status: number, body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as { error?: { message?: unknown; type?: unknown }; message?: unknown };
      if (typeof j.error?.message === 'string' && j.error.message.length > 0) return j.error.message;
      if (typeof j.message === 'string' && j.message.length > 0) return j.message;
    } catch {
      // not JSON after all: fall through to the text
    }
  }
  if (trimmed.length === 0 || trimmed.startsWith('<')) return `Anthropic returned HTTP ${status}`;
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}
