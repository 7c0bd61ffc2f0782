import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  MAX_PENDING_OBSERVATIONS,
  Metrics,
  PROMETHEUS_CONTENT_TYPE,
  type RequestObservation,
} from '../../../../src/gateway/usage/metrics.js';
import { metric, parsePrometheus } from '../../../helpers/usage.js';

const sources = { inFlight: () => 2, cooldownsStarted: () => 0, cooling: () => 0 };
const obs = (i: number): RequestObservation => ({
  alias: i % 2 ? 'odd' : 'even',
  deployment: 'p/m',
  status: 200,
  totalS: 0.2,
  overheadS: 0.0003,
  fallbacks: i % 3 === 0 ? 1 : 0,
  usage: { inputTokens: 10, outputTokens: 2 },
  usd: 0.001,
});

describe('Metrics before prom-client is loaded', () => {
  it('keeps what it observed until the first scrape and replays it into the registry', async () => {
    const m = new Metrics(sources);
    for (let i = 0; i < 5; i++) m.observe(obs(i));
    expect(m.loaded).toBe(false);
    expect(m.contentType).toBe(new Registry().contentType);
    expect(PROMETHEUS_CONTENT_TYPE).toBe(new Registry().contentType);
    const s = parsePrometheus(await m.text());
    expect(m.loaded).toBe(true);
    expect(metric(s, 'agentbox_requests_total')).toBe(5);
    expect(metric(s, 'agentbox_requests_total', { alias: 'even' })).toBe(3);
    expect(metric(s, 'agentbox_fallbacks_total')).toBe(2);
    expect(metric(s, 'agentbox_input_tokens_total')).toBe(50);
    expect(metric(s, 'agentbox_request_duration_seconds_count')).toBe(5);
    expect(metric(s, 'agentbox_in_flight_requests')).toBe(2);
    // Observed after the load: straight into the registry.
    m.observe(obs(5));
    expect(metric(parsePrometheus(await m.text()), 'agentbox_requests_total')).toBe(6);
  });

  it('loads prom-client by itself once the kept observations reach the bound, losing none', async () => {
    const m = new Metrics(sources);
    const n = MAX_PENDING_OBSERVATIONS + 500;
    for (let i = 0; i < MAX_PENDING_OBSERVATIONS; i++) m.observe(obs(i));
    for (let t = 0; t < 200 && !m.loaded; t++) await new Promise((r) => setTimeout(r, 10));
    expect(m.loaded).toBe(true);
    for (let i = MAX_PENDING_OBSERVATIONS; i < n; i++) m.observe(obs(i));
    expect(metric(parsePrometheus(await m.text()), 'agentbox_requests_total')).toBe(n);
  });
});
