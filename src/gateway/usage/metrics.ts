import type { Usage } from '../canonical.js';
import type { PromMetrics } from './metrics-registry.js';

export interface RequestObservation {
  alias: string;
  deployment: string;
  status: number;
  totalS: number;
  overheadS: number;
  fallbacks: number;
  usage?: Usage;
  usd: number | null;
  cache?: 'hit' | 'miss';
}

export interface MetricsSources {
  inFlight(): number;
  cooldownsStarted(): number;
  /** Trace spans dropped (collector down, slow, or the export queue full); 0 without tracing. */
  spansDropped?(): number;
  cooling(): number;
}

/** What prom-client's registry answers with (text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Observations kept before prom-client is loaded; reaching this many loads it without a scrape. */
export const MAX_PENDING_OBSERVATIONS = 1000;

/**
 * The gateway's Prometheus metrics (metrics-registry.ts), with prom-client loaded at the first
 * scrape of /metrics rather than at start: until then each request's observation is kept as it
 * is, at most MAX_PENDING_OBSERVATIONS of them, and replayed into the registry when it is built.
 * More requests than that without a scrape load prom-client then. Nothing observed is lost.
 */
export class Metrics {
  private prom: PromMetrics | undefined;
  private loading: Promise<PromMetrics> | undefined;
  private pending: RequestObservation[] = [];

  constructor(private readonly sources: MetricsSources) {}

  observe(o: RequestObservation): void {
    if (this.prom) {
      this.prom.observe(o);
      return;
    }
    this.pending.push(o);
    if (this.pending.length >= MAX_PENDING_OBSERVATIONS) this.load().catch(() => undefined);
  }

  async text(): Promise<string> {
    return (await this.load()).text();
  }

  get contentType(): string {
    return this.prom?.contentType ?? PROMETHEUS_CONTENT_TYPE;
  }

  /** True once prom-client's registry is built. */
  get loaded(): boolean {
    return this.prom !== undefined;
  }

  private load(): Promise<PromMetrics> {
    this.loading ??= import('./metrics-registry.js').then(
      ({ PromMetrics }) => {
        const prom = new PromMetrics(this.sources);
        for (const o of this.pending) prom.observe(o);
        this.pending = [];
        this.prom = prom;
        return prom;
      },
      (e: Error) => {
        // A broken install: every scrape says so; what was observed is kept (bounded) for a retry.
        this.loading = undefined;
        this.pending.splice(0, Math.max(0, this.pending.length - MAX_PENDING_OBSERVATIONS));
        throw new Error(`cannot load prom-client for /metrics: ${e.message}; reinstall agentbox (npm ci)`, {
          cause: e,
        });
      },
    );
    return this.loading;
  }
}
