import type { SharedStore } from '../usage/store.js';

export const AFFINITY_TTL_MS = 60 * 60_000;
export const AFFINITY_MAX_ENTRIES = 10_000;

/**
 * Which deployment serves a session: the first turn's deployment, kept while the session is used
 * (each use renews the TTL) and moved by a fallback. Memory is bounded: least recently used
 * sessions go first once `maxEntries` is reached, and an entry unused for `ttlMs` is gone. With a
 * shared store (Redis) the mapping is written through, so every daemon sends a session to the
 * same deployment; a local miss then asks the store.
 */
export class SessionAffinity {
  private readonly map = new Map<string, { id: string; expires: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly shared?: SharedStore;

  constructor(opts: { ttlMs?: number; maxEntries?: number; now?: () => number; shared?: SharedStore } = {}) {
    this.ttlMs = opts.ttlMs ?? AFFINITY_TTL_MS;
    this.maxEntries = opts.maxEntries ?? AFFINITY_MAX_ENTRIES;
    this.now = opts.now ?? Date.now;
    this.shared = opts.shared?.kind === 'redis' ? opts.shared : undefined;
  }

  /** The deployment id the session is bound to, if any. */
  async lookup(session: string): Promise<string | undefined> {
    const e = this.map.get(session);
    if (e && e.expires > this.now()) {
      this.map.delete(session);
      this.map.set(session, e); // most recently used last
      return e.id;
    }
    if (e) this.map.delete(session);
    if (!this.shared) return undefined;
    const id = await this.shared.cacheGet(storeKey(session));
    if (id) this.put(session, id);
    return id;
  }

  /** Bind the session to the deployment that served it (again). */
  remember(session: string, id: string): void {
    const before = this.map.get(session)?.id;
    this.put(session, id);
    if (this.shared && before !== id)
      this.shared.cacheSet(storeKey(session), id, this.ttlMs, this.maxEntries);
  }

  get size(): number {
    return this.map.size;
  }

  private put(session: string, id: string): void {
    this.map.delete(session);
    this.map.set(session, { id, expires: this.now() + this.ttlMs });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }
}

const storeKey = (session: string): string => `affinity:${session}`;
