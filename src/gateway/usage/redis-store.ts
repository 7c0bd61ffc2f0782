import { redactUrl } from './redact-url.js';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/log.js';
import { MemoryStore } from './memory-store.js';
import { ADD, ADJUST, RESERVE, TAKE } from './redis-scripts.js';
import type {
  BucketSpec,
  CounterSpec,
  ReserveResult,
  SharedStore,
  StoreHealth,
  TakeResult,
} from './store.js';

const PREFIX = 'agentbox:';
const CHANNEL = `${PREFIX}cooldowns`;

interface Scripts {
  abTake(...args: Array<string | number>): Promise<[number, number, number]>;
  abAdjust(...args: Array<string | number>): Promise<number>;
  abReserve(...args: Array<string | number>): Promise<[number, number, number]>;
  abAdd(...args: Array<string | number>): Promise<number>;
}

export interface RedisStoreOptions {
  url: string;
  log: Logger;
  now?: () => number;
  /** Bound on connecting and on each command, ms (default 1000). */
  timeoutMs?: number;
}

/**
 * Counters, buckets, cache and cooldown notices in Redis, shared by every daemon using the same
 * `redis_url`. Never fails a request: while Redis is unreachable every operation goes to a memory
 * store in this process (limits then hold per daemon), with one warning per outage in the log.
 */
export class RedisStore implements SharedStore {
  readonly kind = 'redis' as const;
  private readonly client: Redis & Scripts;
  private readonly sub: Redis;
  private readonly local: MemoryStore;
  private readonly log: Logger;
  private readonly from = randomUUID();
  private readonly listeners: Array<(id: string, ms: number) => void> = [];
  private lastError: string | undefined;
  private closed = false;

  constructor(opts: RedisStoreOptions) {
    this.log = opts.log;
    this.local = new MemoryStore(opts.now);
    const timeout = opts.timeoutMs ?? 1000;
    const options = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: timeout,
      commandTimeout: timeout,
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
    };
    this.client = new Redis(opts.url, options) as Redis & Scripts;
    this.client.defineCommand('abTake', { lua: TAKE });
    this.client.defineCommand('abAdjust', { lua: ADJUST, numberOfKeys: 1 });
    this.client.defineCommand('abReserve', { lua: RESERVE });
    this.client.defineCommand('abAdd', { lua: ADD, numberOfKeys: 1 });
    this.sub = new Redis(opts.url, { ...options, enableOfflineQueue: true });
    for (const c of [this.client, this.sub]) c.on('error', (e: Error) => this.down(e));
    this.client.on('ready', () => {
      if (this.lastError !== undefined)
        this.log.info({ redis: redactUrl(opts.url) }, 'redis reachable again; limits are shared');
      this.lastError = undefined;
    });
    this.sub.on('message', (_channel: string, text: string) => this.received(text));
    // (Re)subscribe on every connect: a subscription that failed while Redis was down is not retried otherwise.
    this.sub.on('ready', () => void this.sub.subscribe(CHANNEL).catch((e: Error) => this.down(e)));
  }

  /** Resolves once Redis answers, or after `ms` (the gateway then starts on local limits). */
  async ready(ms: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.client.once('ready', onReady);
    });
  }

  private up(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  private down(e: Error): void {
    if (this.closed) return;
    const message = e.message || String(e);
    if (this.lastError === undefined) {
      this.log.warn(
        { error: message },
        'redis unavailable; rate limits, budgets and the cache hold per process until it is back',
      );
    }
    this.lastError = message;
  }

  async take(buckets: BucketSpec[]): Promise<TakeResult> {
    if (!this.up()) return this.local.take(buckets);
    try {
      const args = buckets.flatMap((b) => [b.capacity, b.perMs, b.cost]);
      const [ok, wait, blocked] = await this.client.abTake(
        buckets.length,
        ...buckets.map((b) => PREFIX + b.key),
        ...args,
      );
      return ok === 1 ? { ok: true, waitMs: 0 } : { ok: false, waitMs: Math.max(0, wait), blocked };
    } catch (e) {
      this.down(e as Error);
      return this.local.take(buckets);
    }
  }

  adjust(b: BucketSpec, tokens: number): void {
    if (!this.up()) return this.local.adjust(b, tokens);
    this.client.abAdjust(PREFIX + b.key, b.capacity, b.perMs, tokens).catch((e: Error) => {
      this.down(e);
      this.local.adjust(b, tokens);
    });
  }

  peek(): number {
    // The shared level is only known after a round trip: take() decides.
    return 0;
  }

  async reserve(counters: CounterSpec[]): Promise<ReserveResult> {
    if (!this.up()) return this.local.reserve(counters);
    try {
      const args = counters.flatMap((c) => [
        Math.round(c.amount),
        Math.round(c.limit),
        Math.round(c.seed),
        Math.ceil(c.ttlMs),
      ]);
      const [ok, blocked, value] = await this.client.abReserve(
        counters.length,
        ...counters.map((c) => PREFIX + c.key),
        ...args,
      );
      return ok === 1 ? { ok: true } : { ok: false, blocked, value };
    } catch (e) {
      this.down(e as Error);
      return this.local.reserve(counters);
    }
  }

  add(c: Omit<CounterSpec, 'limit'>): void {
    if (!this.up()) return this.local.add(c);
    this.client
      .abAdd(PREFIX + c.key, Math.round(c.amount), Math.round(c.seed), Math.ceil(c.ttlMs))
      .catch((e: Error) => {
        this.down(e);
        this.local.add(c);
      });
  }

  async get(key: string): Promise<number | undefined> {
    if (!this.up()) return this.local.get(key);
    try {
      const v = await this.client.get(PREFIX + key);
      return v === null ? undefined : Number(v);
    } catch (e) {
      this.down(e as Error);
      return this.local.get(key);
    }
  }

  async cacheGet(key: string): Promise<string | undefined> {
    if (!this.up()) return this.local.cacheGet(key);
    try {
      return (await this.client.get(`${PREFIX}cache:${key}`)) ?? undefined;
    } catch (e) {
      this.down(e as Error);
      return undefined;
    }
  }

  cacheSet(key: string, value: string, ttlMs: number, maxEntries: number): void {
    if (!this.up()) return this.local.cacheSet(key, value, ttlMs, maxEntries);
    this.client.set(`${PREFIX}cache:${key}`, value, 'PX', Math.ceil(ttlMs)).catch((e: Error) => this.down(e));
  }

  publishCooldown(id: string, ms: number): void {
    if (!this.up()) return;
    this.client
      .publish(CHANNEL, JSON.stringify({ id, ms, from: this.from }))
      .catch((e: Error) => this.down(e));
  }

  onCooldown(listener: (id: string, ms: number) => void): void {
    this.listeners.push(listener);
  }

  private received(text: string): void {
    try {
      const m = JSON.parse(text) as { id?: unknown; ms?: unknown; from?: unknown };
      if (m.from === this.from || typeof m.id !== 'string' || typeof m.ms !== 'number') return;
      for (const l of this.listeners) l(m.id, m.ms);
    } catch {
      // not ours
    }
  }

  health(): StoreHealth {
    const ok = this.up();
    return ok
      ? { kind: 'redis', ok }
      : { kind: 'redis', ok, error: this.lastError ?? `redis ${this.client.status}` };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client.disconnect();
    this.sub.disconnect();
    await this.local.close();
  }
}
