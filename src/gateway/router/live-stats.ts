import type { Deployment } from '../../config/types.js';

/** Smoothing of the time-to-first-token average: each new sample weighs this much. */
const EWMA_ALPHA = 0.3;
/** A latency figure older than this is stale: the deployment is explored again. */
const STALE_MS = 5 * 60_000;
const MINUTE_MS = 60_000;

interface Latency {
  ewmaMs: number;
  samples: number;
  at: number;
}

interface Window {
  minute: number;
  requests: number;
  tokens: number;
}

/**
 * The live figures the strategies pick by, per deployment id: requests in flight, an EWMA of the
 * time to first token, and the requests and tokens of the current minute (for rpm/tpm headroom).
 * Held by the gateway state, so it survives reloads for deployments that still exist.
 */
export class LiveStats {
  private readonly inFlightBy = new Map<string, number>();
  private readonly latencyBy = new Map<string, Latency>();
  private readonly windowBy = new Map<string, Window>();
  /** Prompt-cache read tokens since start, by alias and deployment: what affinity earns. */
  private readonly cacheReadBy = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** One request started on `id`; call the result once when it ends (stream included). */
  begin(id: string): () => void {
    this.inFlightBy.set(id, (this.inFlightBy.get(id) ?? 0) + 1);
    this.window(id).requests++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.inFlightBy.get(id) ?? 1) - 1;
      if (n > 0) this.inFlightBy.set(id, n);
      else this.inFlightBy.delete(id);
    };
  }

  inFlight(id: string): number {
    return this.inFlightBy.get(id) ?? 0;
  }

  observeLatency(id: string, ms: number): void {
    const prev = this.latencyBy.get(id);
    const ewmaMs = prev ? prev.ewmaMs + EWMA_ALPHA * (ms - prev.ewmaMs) : ms;
    this.latencyBy.set(id, { ewmaMs, samples: (prev?.samples ?? 0) + 1, at: this.now() });
  }

  /** The smoothed time to first token, or undefined when unknown or stale. */
  latencyMs(id: string): number | undefined {
    const l = this.latencyBy.get(id);
    return l && this.now() - l.at < STALE_MS ? l.ewmaMs : undefined;
  }

  addTokens(id: string, tokens: number): void {
    if (tokens > 0) this.window(id).tokens += tokens;
  }

  /** Requests and tokens sent to `id` in the current minute. */
  used(id: string): { requests: number; tokens: number } {
    const w = this.windowBy.get(id);
    if (!w || w.minute !== this.minute()) return { requests: 0, tokens: 0 };
    return { requests: w.requests, tokens: w.tokens };
  }

  addCacheRead(alias: string, id: string, tokens: number): void {
    if (tokens > 0) this.cacheReadBy.set(`${alias}\u0000${id}`, this.cacheRead(alias, id) + tokens);
  }

  /** Cache read tokens served for the alias by the deployment (or by all of them). */
  cacheRead(alias: string, id?: string): number {
    if (id !== undefined) return this.cacheReadBy.get(`${alias}\u0000${id}`) ?? 0;
    let n = 0;
    for (const [k, v] of this.cacheReadBy) if (k.startsWith(`${alias}\u0000`)) n += v;
    return n;
  }

  /** Share of the deployment's rpm/tpm left this minute, 0..1 (1 when it sets neither). */
  headroom(d: Deployment): number {
    const u = this.used(d.id);
    let h = 1;
    if (d.rpm) h = Math.min(h, 1 - u.requests / d.rpm);
    if (d.tpm) h = Math.min(h, 1 - u.tokens / d.tpm);
    return Math.max(0, h);
  }

  /** Forget deployments that no longer exist (after a reload). */
  retain(ids: Set<string>): void {
    for (const m of [this.inFlightBy, this.latencyBy, this.windowBy])
      for (const id of m.keys()) if (!ids.has(id)) m.delete(id);
  }

  private minute(): number {
    return Math.floor(this.now() / MINUTE_MS);
  }

  private window(id: string): Window {
    const minute = this.minute();
    let w = this.windowBy.get(id);
    if (!w || w.minute !== minute) {
      w = { minute, requests: 0, tokens: 0 };
      this.windowBy.set(id, w);
    }
    return w;
  }
}
