import type { Deployment } from '../../config/types.js';
import type { RequestContext } from '../routes/context.js';
import type { Reservation } from './budgets.js';
import type { Caller } from './keys.js';
import type { Ticket } from './rate-limit.js';

/**
 * What the usage services note on a request as it goes: who called, what it reserved and took
 * from the rate limits, which deployment answered, its cost, and the timestamps behind the
 * overhead metric. Kept beside `ctx.info` (the log line's fields), which it extends.
 */
export interface UsageInfo {
  caller?: Caller;
  /** The deployment that answered (its prices price the request). */
  servedBy?: Deployment;
  /** USD; null when the price is unknown; undefined until computed. */
  usd?: number | null;
  cache?: 'hit' | 'miss';
  /** The tokens were counted by the gateway (the stream ended without the upstream's usage). */
  estimated?: boolean;
  cacheKey?: string;
  reservation?: Reservation | null;
  tickets?: Ticket[];
  deploymentTickets?: Array<{ id: string; ticket: Ticket }>;
  /** performance.now() marks: arrival, dispatch start, commit point, first byte sent. */
  t0?: number;
  tDispatch?: number;
  tCommitted?: number;
  tResponded?: number;
}

export type InfoWithUsage = RequestContext['info'] & { usageNotes?: UsageInfo };

/** The request's usage notes (created on first use). */
export function usageOf(ctx: RequestContext): UsageInfo {
  const info = ctx.info as InfoWithUsage;
  return (info.usageNotes ??= {});
}
