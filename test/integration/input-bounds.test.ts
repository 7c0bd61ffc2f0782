import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { MAX_TRACKED, Cooldowns } from '../../src/gateway/router/cooldown.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

/** Input that used to cost memory or reach code it should not: bounded, refused, or answered generically. */

let up: FakeUpstream;
let gw: Gateway;
const logLines: string[] = [];

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  const loaded = makeConfig(
    [
      { name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-provider' },
      // A provider whose type has no adapter: the way to make the gateway itself fail.
      { name: 'broken', type: 'no-such-type' as 'openai', apiBase: up.apiBase, apiKey: 'k' },
    ],
    { default: [{ provider: 'p', model: 'm' }], bad: [{ provider: 'broken', model: 'm' }] },
  );
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  gw = await startGateway(loaded, { log, stateDir: null });
});
afterAll(async () => {
  await gw.stop(100);
  await up.close();
});
beforeEach(() => {
  up.requests.length = 0;
});

const post = (path: string, body: unknown) =>
  rawRequest(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const chat = (model: string) =>
  post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] });

describe('metric labels come only from configured names', () => {
  it('client-chosen provider/model names and refused names never become metric labels', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await chat(`p/invented-${i}`)).status).toBe(200);
      expect((await chat(`refused-${i}`)).status).toBe(404);
    }
    const metrics = (await rawRequest(`${gw.url}/metrics`)).text;
    expect(metrics).not.toMatch(/invented-|refused-/);
    expect(metrics).toMatch(/agentbox_requests_total\{alias="p\/\*",deployment="p\/\*",status="200"\} 20/);
    expect(metrics).toMatch(/agentbox_requests_total\{alias="",deployment="",status="404"\} 20/);
  });
  it('a model name over 256 characters is a 400 naming the model parameter', async () => {
    const r = await chat(`p/${'x'.repeat(300)}`);
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe('model');
    expect(up.requests).toHaveLength(0);
  });
});

describe('prototype names', () => {
  it('constructor/x, __proto__/x and toString/x model names are 404 model_not_found', async () => {
    for (const model of ['constructor/x', '__proto__/x', 'toString/x', 'hasOwnProperty/x', 'constructor']) {
      const r = await chat(model);
      expect(r.status, model).toBe(404);
      expect(r.json.error.code, model).toBe('model_not_found');
    }
    const m = await post('/v1/messages', {
      model: '__proto__/x',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(m.status).toBe(404);
    expect(m.json.error.type).toBe('not_found_error');
    expect(up.requests).toHaveLength(0);
  });
});

describe('body depth', () => {
  it('a body nested 10,000 levels deep is a 400, in each dialect', async () => {
    const deep = `{"model":"default","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const c = await post('/v1/chat/completions', deep);
    expect(c.status).toBe(400);
    expect(c.json.error.message).toMatch(/nested deeper than 128/);
    const m = await post('/v1/messages', deep.replace('"model"', '"max_tokens":5,"model"'));
    expect(m.status).toBe(400);
    expect(m.json.type).toBe('error');
    const r = await post(
      '/v1/responses',
      `{"model":"default","input":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    );
    expect(r.status).toBe(400);
    expect(up.requests).toHaveLength(0);
  });
  it('a body at a realistic depth is served', async () => {
    const nested = { model: 'default', messages: [{ role: 'user', content: 'x' }], metadata: {} as any };
    let o = nested.metadata;
    for (let i = 0; i < 50; i++) o = o.a = {};
    expect((await post('/v1/chat/completions', nested)).status).toBe(200);
  });
});

describe('errors the gateway makes itself', () => {
  it('a gateway-made error never sends internal error: <message>; the log has it with the request id', async () => {
    const r = await chat('bad');
    expect(r.status).toBe(500);
    expect(r.text).not.toMatch(/no adapter|no-such-type/);
    const id = r.headers['x-request-id'] as string;
    expect(r.json.error.message).toContain(id);
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'internal error' && l.id === id);
    expect(logged?.error).toMatch(/no adapter for provider type no-such-type/);
  });
});

describe('per-name maps are bounded', () => {
  it('cooldown state for invented deployment names stays under MAX_TRACKED', () => {
    const c = new Cooldowns(() => 0);
    for (let i = 0; i < MAX_TRACKED + 50; i++)
      c.failure(`p/invented-${i}`, { kind: 'server', status: 500, message: 'x' }, 3, 30);
    expect(c.size).toBe(MAX_TRACKED);
  });
});

describe('/mcp body depth', () => {
  it('a JSON-RPC body nested 10,000 levels deep is a JSON-RPC invalid request, not a crash', async () => {
    const r = await rawRequest(`${gw.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
  });
});
