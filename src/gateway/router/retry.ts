import type { FallbackToggles } from '../../config/types.js';
import type { UpstreamFailure } from '../errors.js';

/**
 * The retry and fallback table, pure. One failed attempt on one deployment becomes one of:
 * retry the same deployment after a delay, fall back to the next deployment, or fail the request.
 *
 * - client errors (other 4xx) end the request at once: another deployment would refuse it too.
 * - content-policy refusals move on only to an entry reserved for them (`fallback_on`).
 * - context-window errors move on when `on_context_window` is set (a bigger model may follow).
 * - a deployment that cannot serve this request at all (`unusable`) is passed over for the next one.
 * - content-filter refusals move on to an entry that names them in `fallback_on`, or to any entry when
 *   `on_content_policy` is set (another provider's filter may differ).
 * - 429 moves on at once when `on_rate_limit` is set and another deployment exists (hammering a
 *   saturated deployment helps nobody); otherwise it is retried after Retry-After, if that fits
 *   under `retry_after_seconds`.
 * - 5xx and network errors are retried with backoff (once when a fallback exists, `num_retries`
 *   times on the last deployment), then fall back when `on_error` is set.
 * - timeouts move on at once when a fallback exists (another full timeout is expensive), else retry.
 * - 401/403 for the deployment's own key moves on at once (the client's request is fine; another
 *   deployment has another key), and is never retried on the same key.
 */
export type Decision = { action: 'retry'; delayMs: number } | { action: 'fallback' } | { action: 'fail' };

export interface DecideInput {
  failure: UpstreamFailure;
  /** Another deployment remains to be tried. */
  hasNext: boolean;
  /** Retries already spent on this deployment. */
  retriesOnThis: number;
  numRetries: number;
  retryAfterCapS: number;
  toggles: FallbackToggles;
  random?: () => number;
}

export const BACKOFF_BASE_MS = 200;
export const BACKOFF_MAX_MS = 8_000;

/** Exponential backoff with ±20 % jitter: 200, 400, 800 … ms, capped. */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** retry);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function decide(i: DecideInput): Decision {
  const { failure, hasNext, toggles } = i;
  const random = i.random ?? Math.random;
  const retriesFor = hasNext ? Math.min(1, i.numRetries) : i.numRetries;
  const canRetry = i.retriesOnThis < retriesFor;
  const after = failure.retryAfterS;
  const afterFits = after === undefined || after <= i.retryAfterCapS;
  const delay =
    after !== undefined && afterFits ? Math.round(after * 1000) : backoffMs(i.retriesOnThis, random);

  switch (failure.kind) {
    case 'client':
      return { action: 'fail' };
    case 'auth':
    case 'content_policy':
      return hasNext ? { action: 'fallback' } : { action: 'fail' };
    case 'context_window':
      return toggles.onContextWindow && hasNext ? { action: 'fallback' } : { action: 'fail' };
    case 'unusable':
      return hasNext ? { action: 'fallback' } : { action: 'fail' };
    case 'rate_limit':
      if (toggles.onRateLimit && hasNext) return { action: 'fallback' };
      if (i.retriesOnThis < i.numRetries && afterFits) return { action: 'retry', delayMs: delay };
      return { action: 'fail' };
    case 'timeout':
      if (toggles.onError && hasNext) return { action: 'fallback' };
      return i.retriesOnThis < i.numRetries ? { action: 'retry', delayMs: delay } : { action: 'fail' };
    case 'server':
    case 'network':
      if (canRetry && afterFits) return { action: 'retry', delayMs: delay };
      return toggles.onError && hasNext ? { action: 'fallback' } : { action: 'fail' };
  }
}
