import { createHash } from 'node:crypto';
import type { LitellmConfig } from '../../config/types.js';
import type { Usage } from '../canonical.js';
import { MemoryStore } from './memory-store.js';
import type { SharedStore } from './store.js';

/** A cached non-stream response, exactly as it was sent. */
export interface CachedResponse {
  body: string;
  deployment: string;
  usage?: Usage;
}

/**
 * The opt-in response cache (`cache: {type, ttl, max_entries}`): exact match on the route and the
 * request body (model, messages and every parameter), non-stream responses only. `memory` keeps it
 * in this process (LRU, `max_entries`); `redis` in the shared store, expiring by `ttl`.
 */
export class ResponseCache {
  private readonly memory: MemoryStore;

  constructor(
    private readonly shared: SharedStore,
    now: () => number = Date.now,
  ) {
    this.memory = new MemoryStore(now);
  }

  enabled(config: LitellmConfig): boolean {
    return config.cache !== undefined;
  }

  key(route: string, body: Buffer): string {
    return createHash('sha256').update(route).update('\u0000').update(body).digest('hex');
  }

  private store(config: LitellmConfig): SharedStore {
    return config.cache?.type === 'redis' && this.shared.kind === 'redis' ? this.shared : this.memory;
  }

  async get(config: LitellmConfig, key: string): Promise<CachedResponse | undefined> {
    const text = await this.store(config).cacheGet(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as CachedResponse;
    } catch {
      return undefined;
    }
  }

  set(config: LitellmConfig, key: string, value: CachedResponse): void {
    const c = config.cache;
    if (!c) return;
    this.store(config).cacheSet(key, JSON.stringify(value), c.ttlS * 1000, c.maxEntries);
  }

  async close(): Promise<void> {
    await this.memory.close();
  }
}
