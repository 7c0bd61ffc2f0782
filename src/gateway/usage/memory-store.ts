import type {
  BucketSpec,
  CounterSpec,
  ReserveResult,
  SharedStore,
  StoreHealth,
  TakeResult,
} from './store.js';

interface Bucket {
  tokens: number;
  at: number;
}

interface Counter {
  value: number;
  expires: number;
}

/**
 * The store in this process: O(1) maps, synchronous (so check-and-take is atomic between
 * concurrent requests). Also what the Redis store falls back to while Redis is down.
 */
export class MemoryStore implements SharedStore {
  readonly kind = 'memory' as const;
  private readonly buckets = new Map<string, Bucket>();
  private readonly counters = new Map<string, Counter>();
  private readonly cache = new Map<string, { value: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private level(b: BucketSpec, t: number): number {
    const s = this.buckets.get(b.key);
    if (!s) return b.capacity;
    return Math.min(b.capacity, s.tokens + (t - s.at) * b.perMs);
  }

  take(specs: BucketSpec[]): TakeResult {
    const t = this.now();
    const levels = specs.map((b) => this.level(b, t));
    let waitMs = 0;
    let blocked: number | undefined;
    specs.forEach((b, i) => {
      const need = Math.min(b.cost, b.capacity);
      if (levels[i] >= need) return;
      const wait = (need - levels[i]) / b.perMs;
      if (blocked === undefined || wait > waitMs) {
        waitMs = wait;
        blocked = i;
      }
    });
    if (blocked !== undefined) return { ok: false, waitMs: Math.ceil(waitMs), blocked };
    specs.forEach((b, i) => this.buckets.set(b.key, { tokens: levels[i] - b.cost, at: t }));
    return { ok: true, waitMs: 0 };
  }

  adjust(b: BucketSpec, tokens: number): void {
    const t = this.now();
    this.buckets.set(b.key, { tokens: Math.min(b.capacity, this.level(b, t) + tokens), at: t });
  }

  peek(b: BucketSpec): number {
    const missing = Math.min(b.cost, b.capacity) - this.level(b, this.now());
    return missing > 0 ? Math.ceil(missing / b.perMs) : 0;
  }

  private value(key: string, t: number): number | undefined {
    const c = this.counters.get(key);
    if (!c) return undefined;
    if (c.expires <= t) {
      this.counters.delete(key);
      return undefined;
    }
    return c.value;
  }

  reserve(specs: CounterSpec[]): ReserveResult {
    const t = this.now();
    const values = specs.map((c) => this.value(c.key, t) ?? c.seed);
    for (let i = 0; i < specs.length; i++) {
      if (values[i] >= specs[i].limit) return { ok: false, blocked: i, value: values[i] };
    }
    specs.forEach((c, i) => this.set(c.key, values[i] + c.amount, t + c.ttlMs));
    return { ok: true };
  }

  add(c: Omit<CounterSpec, 'limit'>): void {
    const t = this.now();
    this.set(c.key, (this.value(c.key, t) ?? c.seed) + c.amount, t + c.ttlMs);
  }

  private set(key: string, value: number, expires: number): void {
    const c = this.counters.get(key);
    if (c) c.value = value;
    else this.counters.set(key, { value, expires });
  }

  get(key: string): number | undefined {
    return this.value(key, this.now());
  }

  cacheGet(key: string): string | undefined {
    const e = this.cache.get(key);
    if (!e) return undefined;
    this.cache.delete(key);
    if (e.expires <= this.now()) return undefined;
    this.cache.set(key, e); // most recently used last
    return e.value;
  }

  cacheSet(key: string, value: string, ttlMs: number, maxEntries: number): void {
    this.cache.delete(key);
    this.cache.set(key, { value, expires: this.now() + ttlMs });
    while (this.cache.size > maxEntries) this.cache.delete(this.cache.keys().next().value as string);
  }

  publishCooldown(): void {
    // one process: nobody else to tell
  }

  onCooldown(): void {
    // one process: nobody else reports cooldowns
  }

  health(): StoreHealth {
    return { kind: 'memory', ok: true };
  }

  async close(): Promise<void> {
    this.buckets.clear();
    this.counters.clear();
    this.cache.clear();
  }
}
