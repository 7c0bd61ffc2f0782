import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

/**
 * What a web page can send to the gateway without a preflight, and DNS rebinding: all refused
 * before routing, in the route's dialect, and no upstream is ever called.
 */

let up: FakeUpstream;
let gw: Gateway;
let port: number;
const chat = JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x' }] });
const messages = JSON.stringify({
  model: 'default',
  max_tokens: 5,
  messages: [{ role: 'user', content: 'x' }],
});
const JSON_CT = { 'content-type': 'application/json' };

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-provider' }], {
    default: [{ provider: 'p', model: 'm' }],
  });
  loaded.config.allowedHosts = ['gateway.internal', 'published.example:8443'];
  loaded.config.allowedOrigins = ['http://localhost:5173'];
  gw = await startTestGateway(loaded);
  port = gw.server.port;
});
afterAll(async () => {
  await gw.stop(100);
  await up.close();
});
beforeEach(() => {
  up.requests.length = 0;
});

const post = (path: string, headers: Record<string, string>, body = chat) =>
  rawRequest(`${gw.url}${path}`, { method: 'POST', headers, body });

describe('Content-Type: only application/json bodies are served', () => {
  it('a POST with no Content-Type (what fetch sends for a Blob) is 415 saying what to send', async () => {
    const r = await post('/v1/chat/completions', {});
    expect(r.status).toBe(415);
    expect(r.json.error.message).toMatch(/Content-Type: application\/json/);
    expect(up.requests).toHaveLength(0);
  });
  it('a Gemini route (the model in the path) is 415 for text/plain too, and served for JSON', async () => {
    const gemini = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] });
    const path = '/v1beta/models/default:generateContent';
    const r = await post(path, { 'content-type': 'text/plain' }, gemini);
    expect(r.status).toBe(415);
    expect(up.requests).toHaveLength(0);
    expect((await post(path, JSON_CT, gemini)).status).toBe(200);
  });
  it('text/plain; application/json is 415 (the essence is text/plain)', async () => {
    const r = await post('/v1/chat/completions', { 'content-type': 'text/plain; application/json' });
    expect(r.status).toBe(415);
    expect(up.requests).toHaveLength(0);
  });
  it('multipart/form-data; boundary=json is 415, in the Anthropic dialect on /v1/messages', async () => {
    const r = await post('/v1/messages', { 'content-type': 'multipart/form-data; boundary=json' }, messages);
    expect(r.status).toBe(415);
    expect(r.json.type).toBe('error');
    expect(r.json.error.type).toBe('invalid_request_error');
    expect(up.requests).toHaveLength(0);
  });
  it('application/json with parameters and in any case is served', async () => {
    const r = await post('/v1/chat/completions', { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(r.status).toBe(200);
    expect(up.requests).toHaveLength(1);
  });
});

describe('Host: DNS rebinding is refused before routing', () => {
  it('a rebinding Host (evil.example with the right port) is 403 on completions, info, health and /mcp', async () => {
    const host = `evil.example:${port}`;
    const c = await post('/v1/chat/completions', { ...JSON_CT, host });
    expect(c.status).toBe(403);
    expect(c.json.error.message).toMatch(/allowed_hosts/);
    const m = await post('/v1/messages', { ...JSON_CT, host }, messages);
    expect(m.status).toBe(403);
    expect(m.json).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    for (const path of ['/model/info', '/health', '/v1/models', '/metrics', '/health/readiness']) {
      expect((await rawRequest(`${gw.url}${path}`, { headers: { host } })).status, path).toBe(403);
    }
    const mcp = await post(
      '/mcp',
      { ...JSON_CT, accept: 'application/json, text/event-stream', host },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    expect(mcp.status).toBe(403);
    expect(up.requests).toHaveLength(0);
  });
  it('localhost, 127.0.0.1 and [::1] with the listening port pass; another port does not', async () => {
    for (const name of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) {
      const r = await rawRequest(`${gw.url}/v1/models`, { headers: { host: `${name}:${port}` } });
      expect(r.status, name).toBe(200);
    }
    const other = await rawRequest(`${gw.url}/v1/models`, { headers: { host: `localhost:${port + 1}` } });
    expect(other.status).toBe(403);
    const none = await rawRequest(`${gw.url}/v1/models`, { headers: { host: 'localhost' } });
    expect(none.status).toBe(403);
  });
  it('litellm.allowed_hosts: a name alone passes on any port, name:port only on that port', async () => {
    const any = await post('/v1/chat/completions', { ...JSON_CT, host: 'gateway.internal:9999' });
    expect(any.status).toBe(200);
    const exact = await post('/v1/chat/completions', { ...JSON_CT, host: 'published.example:8443' });
    expect(exact.status).toBe(200);
    const wrong = await post('/v1/chat/completions', { ...JSON_CT, host: 'published.example:8444' });
    expect(wrong.status).toBe(403);
    expect(up.requests).toHaveLength(2);
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  it('an Origin that is not allow-listed is 403, even with a JSON body', async () => {
    const r = await post('/v1/chat/completions', { ...JSON_CT, origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/allowed_origins/);
    const nul = await post('/v1/chat/completions', { ...JSON_CT, origin: 'null' });
    expect(nul.status).toBe(403);
    expect(up.requests).toHaveLength(0);
  });
  it('Sec-Fetch-Site: cross-site without an Origin (an <img> or <script> tag) is 403', async () => {
    const r = await rawRequest(`${gw.url}/v1/models`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(r.status).toBe(403);
    const same = await rawRequest(`${gw.url}/v1/models`, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(same.status).toBe(200);
  });
  it('/mcp refuses a foreign Origin, as the Streamable HTTP spec requires', async () => {
    const r = await post(
      '/mcp',
      { ...JSON_CT, accept: 'application/json, text/event-stream', origin: 'https://evil.example' },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    expect(r.status).toBe(403);
  });
  it('litellm.allowed_origins: that origin is served with CORS headers, and its preflight is answered', async () => {
    const origin = 'http://localhost:5173';
    const pre = await rawRequest(`${gw.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(origin);
    expect(pre.headers['access-control-allow-headers']).toBe('content-type, authorization');
    const r = await post('/v1/chat/completions', { ...JSON_CT, origin });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(up.requests).toHaveLength(1);
  });
});
