import type { McpSettings } from '../../config/types.js';
import type { SharedStore } from './store.js';

/** One message of a conversation thread, in Chat Completions form (content: text or parts). */
export interface ThreadTurn {
  role: 'user' | 'assistant';
  content: unknown;
}

interface Entry {
  turns: ThreadTurn[];
  expires: number;
}

/**
 * Conversation threads of the MCP `complete` tool (`conversation_id`), kept by the daemon so the
 * stdio shim and `/mcp` share them: in memory (LRU, bounded count, TTL from the last turn), or in
 * Redis when the daemon uses it. Each thread belongs to the key that made it. Threads are never
 * logged nor written to the ledger.
 */
export class ThreadStore {
  private readonly memory = new Map<string, Entry>();

  constructor(
    private readonly shared: SharedStore | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private static id(owner: string, id: string): string {
    return `thread:${owner}:${id}`;
  }

  async get(owner: string, id: string): Promise<ThreadTurn[]> {
    const k = ThreadStore.id(owner, id);
    if (this.shared?.kind === 'redis') {
      const text = await this.shared.cacheGet(k);
      return text ? (JSON.parse(text) as ThreadTurn[]) : [];
    }
    const e = this.memory.get(k);
    if (!e) return [];
    if (e.expires <= this.now()) {
      this.memory.delete(k);
      return [];
    }
    return e.turns;
  }

  /** Add turns at the end; the thread keeps its last `threadMaxTurns` messages and lives `threadTtlS` more. */
  async append(owner: string, id: string, turns: ThreadTurn[], s: McpSettings): Promise<number> {
    const k = ThreadStore.id(owner, id);
    const all = [...(await this.get(owner, id)), ...turns];
    let kept = all.slice(-s.threadMaxTurns);
    // A thread starts with a user message, as every provider expects.
    while (kept.length > 0 && kept[0].role !== 'user') kept = kept.slice(1);
    const ttlMs = s.threadTtlS * 1000;
    if (this.shared?.kind === 'redis') {
      this.shared.cacheSet(k, JSON.stringify(kept), ttlMs, s.maxThreads);
      return kept.length;
    }
    this.memory.delete(k);
    this.memory.set(k, { turns: kept, expires: this.now() + ttlMs });
    while (this.memory.size > s.maxThreads) this.memory.delete(this.memory.keys().next().value as string);
    return kept.length;
  }

  async forget(owner: string, id: string): Promise<boolean> {
    const k = ThreadStore.id(owner, id);
    if (this.shared?.kind === 'redis') {
      const had = (await this.shared.cacheGet(k)) !== undefined;
      this.shared.cacheSet(k, '[]', 1, 1);
      return had;
    }
    return this.memory.delete(k);
  }
}
