/** One finished request as the live page and `top` show it: fixed fields, never prompt text. */
export interface FeedEntry {
  at: string;
  id: string;
  route: string;
  key_name?: string;
  model?: string;
  deployment?: string;
  status: number;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  ms: number;
  fallbacks?: number;
  error?: string;
}

export type FeedListener = (e: FeedEntry) => void;

/**
 * The last `size` requests in a ring, and the listeners of the live feed. Memory is bounded by
 * `size`; with nobody listening a push is one array write.
 */
export class RequestFeed {
  private readonly ring: FeedEntry[] = [];
  private next = 0;
  private readonly listeners = new Set<FeedListener>();

  constructor(private readonly size = 100) {}

  push(e: FeedEntry): void {
    if (this.ring.length < this.size) this.ring.push(e);
    else this.ring[this.next] = e;
    this.next = (this.next + 1) % this.size;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  /** Oldest first. */
  recent(): FeedEntry[] {
    if (this.ring.length < this.size) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  subscribe(l: FeedListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get listening(): number {
    return this.listeners.size;
  }
}
