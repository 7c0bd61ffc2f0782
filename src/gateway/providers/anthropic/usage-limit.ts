import { headerOf } from '../../errors.js';

/**
 * A Claude Pro/Max plan's usage limit, as Anthropic reports it on a 429:
 * `anthropic-ratelimit-unified-status: rejected` with `anthropic-ratelimit-unified-reset` (epoch
 * seconds) and the window that ran out (`…-representative-claim`, e.g. `five_hour`). Undefined for
 * any other 429 (a per-minute API-key limit keeps its own Retry-After).
 */
export interface PlanLimit {
  /** Seconds until the plan resets (at least 1). */
  resetInS: number;
  resetAt: string;
  window?: string;
}

export function planUsageLimit(
  headers: Record<string, string>,
  now: number = Date.now(),
): PlanLimit | undefined {
  if (headerOf(headers, 'anthropic-ratelimit-unified-status') !== 'rejected') return undefined;
  const reset = Number(headerOf(headers, 'anthropic-ratelimit-unified-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const out: PlanLimit = {
    resetInS: Math.max(1, Math.ceil(reset - now / 1000)),
    resetAt: new Date(reset * 1000).toISOString(),
  };
  const window = headerOf(headers, 'anthropic-ratelimit-unified-representative-claim');
  if (window) out.window = window;
  return out;
}
