import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DaemonDownError, GatewayCallError, gatewayErrorFromBody } from '../../../src/mcp/errors.js';
import { createGatewayClient } from '../../../src/mcp/gateway-client.js';

let server: Server;
let url: string;
const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/ok') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-agentbox-deployment': 'openai/gpt-4o',
          'x-agentbox-cost': '0.0025',
        });
        res.end('{"hello":"world"}');
      } else if (req.url === '/budget') {
        res.writeHead(402, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              message: 'daily budget of $5.00 reached for key claude',
              type: 'budget_exceeded',
              param: null,
              code: 'budget_exceeded',
            },
          }),
        );
      } else if (req.url === '/limited') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '12' });
        res.end(
          JSON.stringify({
            error: { message: 'rate limit: 120 requests per minute', type: 'rate_limit', code: 'rate_limit' },
          }),
        );
      } else if (req.url === '/notjson') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('hi');
      } else {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('boom');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('createGatewayClient', () => {
  test('posts JSON with the key as a bearer token and reads deployment and cost headers', async () => {
    const gw = createGatewayClient({ locate: async () => ({ url, key: 'sk-master-1' }) });
    const reply = await gw.post('/ok', { a: 1 });
    expect(reply).toEqual({ body: { hello: 'world' }, deployment: 'openai/gpt-4o', costUsd: 0.0025 });
    const last = seen.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.headers.authorization).toBe('Bearer sk-master-1');
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ a: 1 });
  });

  test('sends no authorization without a key; GET has no body', async () => {
    const gw = createGatewayClient({ locate: async () => ({ url }) });
    await gw.get('/ok');
    const last = seen.at(-1)!;
    expect(last.method).toBe('GET');
    expect(last.headers.authorization).toBeUndefined();
    expect(last.body).toBe('');
  });

  test('gateway errors carry status, code and the gateway message', async () => {
    const gw = createGatewayClient({ locate: async () => ({ url, key: 'sk-secret-value' }) });
    const budget = await gw.post('/budget', {}).catch((e) => e);
    expect(budget).toBeInstanceOf(GatewayCallError);
    expect(budget.status).toBe(402);
    expect(budget.message).toBe(
      'gateway error 402 budget_exceeded (budget exceeded): daily budget of $5.00 reached for key claude',
    );
    const limited = await gw.post('/limited', {}).catch((e) => e);
    expect(limited.message).toMatch(
      /^gateway error 429 rate_limit \(rate limited\): rate limit: 120 requests per minute \(retry after 12 s\)$/,
    );
    const plain = await gw.get('/other').catch((e) => e);
    expect(plain.message).toBe('gateway error 500 (gateway failure): boom');
    const notJson = await gw.get('/notjson').catch((e) => e);
    expect(notJson.message).toMatch(/not JSON/);
    for (const e of [budget, limited, plain]) expect(e.message).not.toContain('sk-secret-value');
  });

  test('not running: no target, or nothing listening → DaemonDownError naming the start command', async () => {
    const none = createGatewayClient({ locate: async () => null, downHint: 'hint line' });
    const e1 = await none.get('/x').catch((e) => e);
    expect(e1).toBeInstanceOf(DaemonDownError);
    expect(e1.message).toBe(
      'The agentbox gateway is not running. Start it with: agentbox litellm start\nhint line',
    );

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = createGatewayClient({ locate: async () => ({ url: `http://127.0.0.1:${port}` }) });
    const e2 = await refused.get('/x').catch((e) => e);
    expect(e2).toBeInstanceOf(DaemonDownError);
    expect(e2.message).toContain(`nothing answers at http://127.0.0.1:${port}`);
    expect(e2.message).toContain('agentbox litellm start');
  });
});

describe('gatewayErrorFromBody', () => {
  test('reads the Anthropic error shape and asks for a key on 401', () => {
    const e = gatewayErrorFromBody(
      401,
      JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid API key' } }),
    );
    expect(e.code).toBe('authentication_error');
    expect(e.message).toMatch(
      /^gateway error 401 authentication_error \(the gateway rejected the key\): invalid API key\n/,
    );
    expect(e.message).toContain('AGENTBOX_API_KEY');
  });

  test('lists the aliases a 404 names', () => {
    const e = gatewayErrorFromBody(
      404,
      JSON.stringify({
        error: {
          message: 'model "nope" not found; aliases: default, code',
          type: 'model_not_found',
          code: 'model_not_found',
        },
      }),
    );
    expect(e.message).toBe(
      'gateway error 404 model_not_found (not found): model "nope" not found; aliases: default, code',
    );
  });
});
