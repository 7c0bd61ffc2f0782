import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';

/**
 * OpenTelemetry traces against a real OTLP/HTTP receiver: the span tree (client → request span →
 * one span per upstream attempt), GenAI attributes, traceparent in and out, no prompt text unless
 * asked, and a collector that is down or slow never touching the requests.
 */
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const PROMPT = 'the secret plan is 42';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (open.length) await open.pop()!();
});

async function world(otel: string, chain: Array<'ok' | 500> = ['ok']) {
  const ups: FakeUpstream[] = [];
  for (const c of chain)
    ups.push(
      await startFakeUpstream(
        'openai',
        c === 'ok' ? { kind: 'ok', text: 'hi' } : { kind: 'status', status: 500 },
      ),
    );
  const yaml = [
    'litellm:',
    '  providers:',
    ...ups.map((u, i) => `    p${i}: { type: openai, api_base: ${u.apiBase}, api_key: sk-p${i} }`),
    '  models:',
    `    default: [${ups.map((_, i) => `{ provider: p${i}, model: gpt-4o }`).join(', ')}]`,
    '  router: { num_retries: 0 }',
    `  otel: ${otel}`,
  ].join('\n');
  const r = loadConfigText(yaml, { env: {}, port: 0 });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const gw: Gateway = await startGateway(r.loaded, { log: silentLogger(), stateDir: null, env: {} });
  open.push(async () => {
    await gw.stop(100);
    await Promise.all(ups.map((u) => u.close()));
  });
  return { gw, ups, client: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 }) };
}

async function waitSpans(rx: OtlpReceiver, n: number): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 100 && rx.spans.length < n; i++) await new Promise((r) => setTimeout(r, 50));
  return rx.spans;
}

const receivers: OtlpReceiver[] = [];
afterAll(async () => Promise.all(receivers.map((r) => r.close())));

describe.each(['http/json', 'http/protobuf'] as const)('OTLP over %s', (protocol) => {
  it('one request span under the client\u2019s traceparent, a child per attempt, GenAI attributes, traceparent upstream', async () => {
    const rx = await startOtlpReceiver();
    receivers.push(rx);
    const { ups, client } = await world(`{ endpoint: "${rx.url}", protocol: ${protocol} }`, [500, 'ok']);
    const r = await client.chat.completions.create(
      { model: 'default', messages: [{ role: 'user', content: PROMPT }] },
      { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } },
    );
    expect(r.choices[0].message.content).toBe('hi');
    const spans = await waitSpans(rx, 3);
    expect(rx.contentTypes[0]).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    expect(spans).toHaveLength(3);
    const root = spans.find((s) => s.kind === 2)!; // SERVER
    const attempts = spans.filter((s) => s.kind === 3); // CLIENT
    expect(root.traceId).toBe(CLIENT_TRACE);
    expect(root.parentSpanId).toBe(CLIENT_SPAN);
    expect(root.name).toBe('POST /v1/chat/completions');
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'default',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': r.usage!.prompt_tokens,
      'gen_ai.usage.output_tokens': r.usage!.completion_tokens,
      'agentbox.deployment': 'p1/gpt-4o',
      'agentbox.attempts': 2,
      'agentbox.fallbacks': 1,
      'agentbox.route': '/v1/chat/completions',
      'http.response.status_code': 200,
    });
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.traceId).toBe(CLIENT_TRACE);
      expect(a.parentSpanId).toBe(root.spanId);
    }
    const failed = attempts.find((a) => a.attributes['agentbox.deployment'] === 'p0/gpt-4o')!;
    expect(failed.attributes['http.response.status_code']).toBe(500);
    expect(failed.status).toBe(2); // ERROR
    // Each upstream got the traceparent of its own attempt span.
    const tp0 = String(ups[0].requests[0].headers.traceparent);
    const tp1 = String(ups[1].requests[0].headers.traceparent);
    expect(tp0).toBe(`00-${CLIENT_TRACE}-${failed.spanId}-01`);
    expect(tp1.split('-')[2]).toBe(attempts.find((a) => a !== failed)!.spanId);
    // No prompt or completion text reached the collector.
    for (const b of rx.bodies) expect(b.toString('latin1')).not.toContain(PROMPT);
  });
});

describe('tracing options', () => {
  it('capture_content: true puts the request messages on the span', async () => {
    const rx = await startOtlpReceiver();
    receivers.push(rx);
    const { client } = await world(`{ endpoint: "${rx.url}", protocol: http/json, capture_content: true }`);
    await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: PROMPT }] });
    const spans = await waitSpans(rx, 2);
    const root = spans.find((s) => s.kind === 2)!;
    expect(String(root.attributes['gen_ai.input.messages'])).toContain(PROMPT);
  });

  it('without litellm.otel nothing is traced and no traceparent is made up', async () => {
    const up = await startFakeUpstream('openai', { kind: 'ok', text: 'hi' });
    const r = loadConfigText(
      `litellm:\n  providers:\n    p: { type: openai, api_base: ${up.apiBase}, api_key: k }\n  models:\n    default: [{ provider: p, model: m }]\n`,
      { env: {}, port: 0 },
    );
    if (!r.ok) throw new Error('config');
    const gw = await startGateway(r.loaded, { log: silentLogger(), stateDir: null, env: {} });
    open.push(async () => {
      await gw.stop(100);
      await up.close();
    });
    expect(gw.state.tracing).toBeUndefined();
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] });
    expect(up.requests[0].headers.traceparent).toBeUndefined();
  });

  it('a collector that is down or refuses: requests are served, dropped spans are counted in /metrics', async () => {
    const rx = await startOtlpReceiver();
    receivers.push(rx);
    rx.behave({ status: 503 });
    const { gw, client } = await world(`{ endpoint: "${rx.url}", protocol: http/protobuf }`);
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(r.choices[0].message.content).toBe('hi');
    }
    let dropped = 0;
    for (let i = 0; i < 100 && dropped < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const m = await (await request(`${gw.url}/metrics`)).body.text();
      dropped = Number(/^agentbox_otel_spans_dropped_total (\d+)/m.exec(m)?.[1] ?? 0);
    }
    expect(dropped).toBe(6);
  });

  it('a slow collector does not hold requests', async () => {
    const rx = await startOtlpReceiver();
    receivers.push(rx);
    rx.behave({ stallMs: 3_000 });
    const { client } = await world(`{ endpoint: "${rx.url}", protocol: http/json }`);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++)
      await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] });
    // Five requests finish while the first export is still stalled at the collector.
    expect(Date.now() - t0).toBeLessThan(2_500);
  });

  it('litellm.otel without an endpoint (and no OTEL_EXPORTER_OTLP_ENDPOINT) refuses to start, saying what to set', async () => {
    const r = loadConfigText('litellm:\n  otel: { protocol: http/json }\n', { env: {}, port: 0 });
    if (!r.ok) throw new Error('config');
    await expect(startGateway(r.loaded, { log: silentLogger(), stateDir: null, env: {} })).rejects.toThrow(
      /litellm.otel.endpoint .*OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
