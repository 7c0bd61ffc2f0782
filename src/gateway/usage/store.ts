/**
 * The counters that several daemons may share: token buckets (rate limits), money counters
 * (budgets), the response cache and cooldown notices. `memory-store.ts` keeps them in this
 * process; `redis-store.ts` keeps them in Redis and falls back to a memory store while Redis is
 * unreachable. Every operation is atomic across the items it is given.
 */

/** A token bucket: `capacity` tokens, refilled at `perMs` tokens per millisecond. */
export interface BucketSpec {
  key: string;
  capacity: number;
  perMs: number;
  /** Tokens this request takes. A cost above the capacity needs a full bucket. */
  cost: number;
}

export interface TakeResult {
  ok: boolean;
  /** When refused: milliseconds until every refusing bucket holds enough tokens. */
  waitMs: number;
  /** When refused: the index of the bucket that refused for longest. */
  blocked?: number;
}

/** A money counter in integer nano-USD, admitted while its value is below `limit`. */
export interface CounterSpec {
  key: string;
  /** Added when every counter admits. */
  amount: number;
  limit: number;
  /** The value a counter that does not exist yet starts from (this daemon's ledger total). */
  seed: number;
  ttlMs: number;
}

export interface ReserveResult {
  ok: boolean;
  /** When refused: the index of the first counter at or above its limit. */
  blocked?: number;
  /** When refused: that counter's value. */
  value?: number;
}

export interface StoreHealth {
  kind: 'memory' | 'redis';
  /** False while Redis is unreachable: limits are then enforced per process. */
  ok: boolean;
  error?: string;
}

export type MaybePromise<T> = T | Promise<T>;

export interface SharedStore {
  readonly kind: 'memory' | 'redis';
  /** Take `cost` tokens from every bucket, or from none. */
  take(buckets: BucketSpec[]): MaybePromise<TakeResult>;
  /** Give tokens back (positive) or take more (negative, the bucket may go into debt), after the fact. */
  adjust(bucket: BucketSpec, tokens: number): void;
  /** Milliseconds until the bucket could give `cost` tokens (0: now), without taking them; this process's view. */
  peek(bucket: BucketSpec): number;
  /** Add every amount when every counter is below its limit; else add nothing. */
  reserve(counters: CounterSpec[]): MaybePromise<ReserveResult>;
  /** Add to a counter (settling a reservation); the counter is created from `seed` when missing. */
  add(counter: Omit<CounterSpec, 'limit'>): void;
  /** A counter's current value, or undefined when it does not exist. */
  get(key: string): MaybePromise<number | undefined>;
  cacheGet(key: string): MaybePromise<string | undefined>;
  cacheSet(key: string, value: string, ttlMs: number, maxEntries: number): void;
  /** Tell the other daemons a deployment cools down for `ms`. */
  publishCooldown(id: string, ms: number): void;
  /** Called when another daemon reports a cooldown. */
  onCooldown(listener: (id: string, ms: number) => void): void;
  health(): StoreHealth;
  close(): Promise<void>;
}
