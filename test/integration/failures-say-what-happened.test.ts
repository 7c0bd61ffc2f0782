import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/types.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig } from '../helpers/gateway.js';
import { freePort, post } from '../helpers/usage.js';

/**
 * Failed requests tell what happened: the attempt headers, a log line that counts the attempts
 * made at the level the status calls for, no cost when nothing was billed, a connection failure
 * that names the host (never the key), and deployments whose host does not answer shown as such.
 */
const KEY = 'sk-upstream-secret-value-123';
let ups: FakeUpstream[] = [];
let gws: Gateway[] = [];
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(gws.map((g) => g.stop(100)));
  await Promise.all(ups.map((u) => u.close()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  gws = [];
  ups = [];
  servers = [];
});

async function start(loaded: LoadedConfig): Promise<{ gw: Gateway; lines: any[] }> {
  const lines: any[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const gw = await startGateway(loaded, { log: pino({ level: 'info' }, sink), stateDir: null });
  gws.push(gw);
  return { gw, lines };
}

const chat = (url: string, model: string) =>
  post(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }] });
const requestLine = (lines: any[]) => lines.filter((l) => l.msg === 'request').at(-1);

describe('error responses and the request log line', () => {
  it('carry the deployment tried last, the attempts made and the fallbacks taken; 5xx logs at error', async () => {
    const a = await startFakeUpstream('openai', { kind: 'status', status: 503 });
    const b = await startFakeUpstream('openai', { kind: 'status', status: 500 });
    ups.push(a, b);
    const { gw, lines } = await start(
      makeConfig(
        [
          { name: 'a', type: 'openai', apiBase: a.apiBase, apiKey: KEY },
          { name: 'b', type: 'openai', apiBase: b.apiBase, apiKey: KEY },
        ],
        {
          default: [
            { provider: 'a', model: 'm1', inputCostPerToken: 1e-6, outputCostPerToken: 1e-6 },
            { provider: 'b', model: 'm2', inputCostPerToken: 1e-6, outputCostPerToken: 1e-6 },
          ],
        },
        { router: { numRetries: 1, timeoutS: 5, retryAfterSeconds: 0, allowedFails: 5, cooldownS: 1 } },
      ),
    );
    const r = await chat(gw.url, 'default');
    expect(r.status).toBe(502);
    const made = a.requests.length + b.requests.length;
    expect(made).toBe(4); // one retry on each deployment
    expect(r.headers['x-agentbox-deployment']).toBe('b/m2');
    expect(r.headers['x-agentbox-attempts']).toBe(String(made));
    expect(r.headers['x-agentbox-fallbacks']).toBe('1');
    const line = requestLine(lines);
    expect(line.attempts).toBe(made);
    expect(line.fallbacks).toBe(1);
    expect(line.level).toBe(50); // error
    expect(line).not.toHaveProperty('cost_usd');
  });

  it('a request refused before any attempt says 0 attempts and logs at warn; a served one logs at info with its cost', async () => {
    const up = await startFakeUpstream('openai', { kind: 'ok' });
    ups.push(up);
    const { gw, lines } = await start(
      makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: KEY }], {
        default: [{ provider: 'p', model: 'm', inputCostPerToken: 1e-6, outputCostPerToken: 1e-6 }],
      }),
    );
    const missing = await chat(gw.url, 'nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-agentbox-attempts']).toBe('0');
    expect(missing.headers['x-agentbox-fallbacks']).toBe('0');
    expect(missing.headers).not.toHaveProperty('x-agentbox-deployment');
    const refused = requestLine(lines);
    expect(refused.level).toBe(40); // warn
    expect(refused.attempts).toBe(0);
    expect(refused).not.toHaveProperty('cost_usd');

    const invalid = await post(`${gw.url}/v1/chat/completions`, { model: 'default' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers['x-agentbox-attempts']).toBe('0');
    expect(requestLine(lines).level).toBe(40);

    const ok = await chat(gw.url, 'default');
    expect(ok.status).toBe(200);
    const served = requestLine(lines);
    expect(served.level).toBe(30); // info
    expect(served.attempts).toBe(1);
    expect(typeof served.cost_usd).toBe('number');
    expect(served.cost_usd).toBeGreaterThan(0);
  });
});

describe('an upstream that cannot be reached', () => {
  it('gives a 502 naming the host and what to check, never the key', async () => {
    const port = await freePort();
    const { gw } = await start(
      makeConfig(
        [
          {
            name: 'gone',
            type: 'openai',
            apiBase: `http://127.0.0.1:${port}/v1?api-key=${KEY}`,
            apiKey: KEY,
          },
        ],
        { default: [{ provider: 'gone', model: 'm' }] },
        { router: { numRetries: 0, timeoutS: 2, retryAfterSeconds: 0, allowedFails: 5, cooldownS: 1 } },
      ),
    );
    const r = await chat(gw.url, 'default');
    expect(r.status).toBe(502);
    const message = r.json.error.message as string;
    expect(message).toContain(`http://127.0.0.1:${port}`);
    expect(message).toContain('connection refused');
    expect(message).toContain('check that the server runs');
    expect(message).toContain('api_base of provider "gone"');
    expect(r.text).not.toContain(KEY);
    expect(r.text).not.toContain('api-key');
  });

  it('shows its deployments as unreachable in /health and /model/info until its host answers a probe', async () => {
    const port = await freePort();
    const up = await startFakeUpstream('openai', { kind: 'ok' });
    ups.push(up);
    const { gw } = await start(
      makeConfig(
        [
          { name: 'local', type: 'openai_compatible', apiBase: `http://127.0.0.1:${port}/v1` },
          { name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: KEY },
        ],
        {
          default: [
            { provider: 'local', model: 'llama' },
            { provider: 'p', model: 'm' },
          ],
        },
      ),
    );
    const health = async (q = '') => (await (await fetch(`${gw.url}/health${q}`)).json()) as any;
    let deps = (await health()).deployments;
    expect(deps.map((d: any) => d.state)).toEqual(['unreachable', 'ok']);
    expect(deps[0].reason).toBe(`http://127.0.0.1:${port}: connection refused`);
    const info = (await (await fetch(`${gw.url}/model/info`)).json()) as any;
    expect(info.data[0].model_info.state).toBe('unreachable');

    // Something listens there now: an on-demand probe says so.
    const server = createServer((s) => s.end());
    servers.push(server);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    deps = (await health('?probe=1')).deployments;
    expect(deps.map((d: any) => d.state)).toEqual(['ok', 'ok']);
    expect(deps[0]).not.toHaveProperty('reason');
  });
});
