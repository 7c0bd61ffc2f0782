import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSources, RequestObservation } from './metrics.js';

/**
 * The gateway's Prometheus metrics, in a registry of its own. Per request: a handful of counter
 * increments and two histogram observations, labelled by alias, deployment and status only; the
 * gauges (in-flight, cooldowns) are read when scraped.
 */
export class PromMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'alias' | 'deployment' | 'status'>;
  private readonly duration: Histogram<'alias'>;
  private readonly overhead: Histogram<'alias'>;
  private readonly tokens: Record<
    'input' | 'output' | 'cacheRead' | 'cacheWrite',
    Counter<'alias' | 'deployment'>
  >;
  private readonly cost: Counter<'alias' | 'deployment'>;
  private readonly unpriced: Counter<'alias' | 'deployment'>;
  private readonly fallbacks: Counter<'alias'>;
  private readonly cacheLookups: Counter<'status'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'agentbox_requests_total',
      help: 'Requests by alias, deployment that answered ("" for none) and HTTP status',
      labelNames: ['alias', 'deployment', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'agentbox_request_duration_seconds',
      help: 'Total request time, to the last byte',
      labelNames: ['alias'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.overhead = new Histogram({
      name: 'agentbox_gateway_overhead_seconds',
      help: "Time spent in the gateway itself: before dispatch and between the upstream's answer and the first byte sent",
      labelNames: ['alias'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    const tokens = (name: string, help: string): Counter<'alias' | 'deployment'> =>
      new Counter({ name, help, labelNames: ['alias', 'deployment'], registers });
    this.tokens = {
      input: tokens('agentbox_input_tokens_total', 'Input tokens, cache reads and writes excluded'),
      output: tokens('agentbox_output_tokens_total', 'Output tokens'),
      cacheRead: tokens('agentbox_cache_read_tokens_total', 'Input tokens read from the prompt cache'),
      cacheWrite: tokens('agentbox_cache_write_tokens_total', 'Input tokens written to the prompt cache'),
    };
    this.cost = tokens('agentbox_cost_usd_total', 'Spend in USD (requests with a known price)');
    this.unpriced = tokens(
      'agentbox_unpriced_requests_total',
      'Requests whose price is unknown (not in the cost)',
    );
    this.fallbacks = new Counter({
      name: 'agentbox_fallbacks_total',
      help: 'Moves to a later deployment of a chain',
      labelNames: ['alias'],
      registers,
    });
    this.cacheLookups = new Counter({
      name: 'agentbox_response_cache_total',
      help: 'Response cache lookups by result (hit, miss)',
      labelNames: ['status'],
      registers,
    });
    new Counter({
      name: 'agentbox_otel_spans_dropped_total',
      help: 'Trace spans not delivered to the OTLP collector (down, slow, or the export queue full)',
      registers,
      collect() {
        this.reset();
        const n = sources.spansDropped?.() ?? 0;
        if (n > 0) this.inc(n);
      },
    });
    new Gauge({
      name: 'agentbox_in_flight_requests',
      help: 'Requests being served',
      registers,
      collect() {
        this.set(sources.inFlight());
      },
    });
    new Counter({
      name: 'agentbox_cooldowns_total',
      help: 'Deployments put into cooldown since the gateway started',
      registers,
      collect() {
        this.reset();
        const n = sources.cooldownsStarted();
        if (n > 0) this.inc(n);
      },
    });
    new Gauge({
      name: 'agentbox_deployments_cooling',
      help: 'Deployments cooling down now',
      registers,
      collect() {
        this.set(sources.cooling());
      },
    });
  }

  observe(o: RequestObservation): void {
    const { alias, deployment } = o;
    this.requests.inc({ alias, deployment, status: String(o.status) });
    this.duration.observe({ alias }, o.totalS);
    this.overhead.observe({ alias }, o.overheadS);
    if (o.fallbacks > 0) this.fallbacks.inc({ alias }, o.fallbacks);
    if (o.cache) this.cacheLookups.inc({ status: o.cache });
    const u = o.usage;
    if (!u || !deployment) return;
    const labels = { alias, deployment };
    if (u.inputTokens) this.tokens.input.inc(labels, u.inputTokens);
    if (u.outputTokens) this.tokens.output.inc(labels, u.outputTokens);
    if (u.cacheReadTokens) this.tokens.cacheRead.inc(labels, u.cacheReadTokens);
    if (u.cacheWriteTokens) this.tokens.cacheWrite.inc(labels, u.cacheWriteTokens);
    if (o.usd === null) this.unpriced.inc(labels);
    else if (o.usd > 0) this.cost.inc(labels, o.usd);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
