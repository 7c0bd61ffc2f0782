import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { REDACT } from '../../src/shared/log.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig } from '../helpers/gateway.js';
import { ledgerRecords, metric, parsePrometheus, post } from '../helpers/usage.js';

let up: FakeUpstream;
let down: FakeUpstream;
let gw: Gateway;
let dir: string;
const lines: any[] = [];
const KEY = 'sk-metrics-key-value';
/** With keys configured, /metrics is the master key's only. */
const MASTER = 'sk-metrics-master-value';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-metrics-'));
  up = await startFakeUpstream('openai', { kind: 'ok', usage: { input: 10, output: 5, cacheRead: 4 } });
  down = await startFakeUpstream('openai', { kind: 'status', status: 503 });
  const loaded = makeConfig(
    [
      { name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-p' },
      { name: 'bad', type: 'openai', apiBase: down.apiBase, apiKey: 'sk-b' },
    ],
    {
      default: [{ provider: 'p', model: 'gpt-4o' }],
      backup: [
        { provider: 'bad', model: 'gpt-4o-mini' },
        { provider: 'p', model: 'gpt-4o' },
      ],
    },
    {
      keys: { agent: { name: 'agent', key: KEY, keyState: 'set' } },
      masterKey: MASTER,
      cache: { type: 'memory', ttlS: 60, maxEntries: 10 },
      router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 1, cooldownS: 30 },
    },
  );
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const log = pino({ level: 'info', redact: { paths: REDACT, censor: '[redacted]' } }, sink);
  gw = await startGateway(loaded, { log, stateDir: dir });
});
afterAll(async () => {
  await gw.stop(100);
  await Promise.all([up.close(), down.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${KEY}` };
const chat = (model: string, content: string, extra: Record<string, unknown> = {}, headers = auth) =>
  post(`${gw.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }], ...extra }, headers);

describe('/metrics', () => {
  it('parses as Prometheus text and its counters match the requests sent', async () => {
    for (let i = 0; i < 3; i++) expect((await chat('default', `q${i}`)).status).toBe(200);
    expect((await chat('default', 'streamed', { stream: true })).status).toBe(200);
    expect((await chat('nope', 'x')).status).toBe(404);
    expect((await chat('default', 'x', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await chat('backup', 'falls back')).status).toBe(200);

    expect((await fetch(`${gw.url}/metrics`, { headers: auth })).status).toBe(403);
    const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const m = parsePrometheus(await res.text());
    const ok = { alias: 'default', deployment: 'p/gpt-4o', status: '200' };
    expect(metric(m, 'agentbox_requests_total', ok)).toBe(4);
    expect(
      metric(m, 'agentbox_requests_total', { alias: 'backup', deployment: 'p/gpt-4o', status: '200' }),
    ).toBe(1);
    expect(metric(m, 'agentbox_requests_total', { status: '404' })).toBe(1);
    expect(metric(m, 'agentbox_requests_total', { status: '401' })).toBe(1);
    expect(metric(m, 'agentbox_requests_total')).toBe(7);
    expect(metric(m, 'agentbox_request_duration_seconds_count')).toBe(7);
    expect(metric(m, 'agentbox_gateway_overhead_seconds_count', { alias: 'default' })).toBe(4);
    expect(metric(m, 'agentbox_input_tokens_total', { alias: 'default' })).toBe(40);
    expect(metric(m, 'agentbox_cache_read_tokens_total', { alias: 'default' })).toBe(16);
    expect(metric(m, 'agentbox_output_tokens_total')).toBe(25);
    const perRequest = 10 * 2.5e-6 + 4 * 1.25e-6 + 5 * 10e-6;
    expect(metric(m, 'agentbox_cost_usd_total')).toBeCloseTo(5 * perRequest, 12);
    expect(metric(m, 'agentbox_fallbacks_total', { alias: 'backup' })).toBe(1);
    expect(metric(m, 'agentbox_cooldowns_total')).toBe(1);
    expect(metric(m, 'agentbox_deployments_cooling')).toBe(1);
    expect(metric(m, 'agentbox_in_flight_requests')).toBe(0);
    expect(metric(m, 'agentbox_response_cache_total', { status: 'miss' })).toBe(4);
    // Labels are alias, deployment and status only.
    const labelNames = new Set(m.flatMap((s) => Object.keys(s.labels)));
    for (const l of labelNames) expect(['alias', 'deployment', 'status', 'le']).toContain(l);
  });

  it('logs and records the key name, never its value', async () => {
    await gw.state.usage!.ledger!.flush();
    const recs = ledgerRecords(dir);
    expect(recs.length).toBe(5);
    expect(recs.every((r) => r.key === 'agent')).toBe(true);
    const reqLines = lines.filter((l) => l.msg === 'request');
    expect(reqLines.some((l) => l.key_name === 'agent' && typeof l.cost_usd === 'number')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(KEY);
    expect(JSON.stringify(recs)).not.toContain(KEY);
  });
});

describe('response cache', () => {
  it('answers an identical non-stream request from the cache: miss then hit, one upstream call', async () => {
    const before = up.requests.length;
    const a = await chat('default', 'cache me', { temperature: 0 });
    const b = await chat('default', 'cache me', { temperature: 0 });
    expect(a.headers['x-agentbox-cache']).toBe('miss');
    expect(b.headers['x-agentbox-cache']).toBe('hit');
    expect(b.headers['x-agentbox-cost']).toBe('0');
    expect(b.headers['x-agentbox-deployment']).toBe('p/gpt-4o');
    expect(b.text).toBe(a.text);
    expect(up.requests.length).toBe(before + 1);
    // Different parameters, or a stream: not a hit.
    expect((await chat('default', 'cache me', { temperature: 1 })).headers['x-agentbox-cache']).toBe('miss');
    const s = await chat('default', 'cache me', { temperature: 0, stream: true });
    expect(s.headers['x-agentbox-cache']).toBeUndefined();
    expect(up.requests.length).toBe(before + 3);
  });
});
