import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LitellmConfig } from '../../src/config/types.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { freePort, post, redisInstalled, startRedis, type RedisServer } from '../helpers/usage.js';

const hasRedis = redisInstalled();
if (!hasRedis)
  console.warn('usage-redis: redis-server is not installed (apt-get install redis-server); skipping');

let redis: RedisServer;
let up: FakeUpstream;
let gws: Gateway[] = [];

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  if (hasRedis) redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(gws.map((g) => g.stop(100)));
  gws = [];
});
afterAll(async () => {
  await up?.close();
  await redis?.stop();
});

async function daemon(over: Partial<LitellmConfig>, chain: Record<string, unknown> = {}): Promise<Gateway> {
  const loaded = makeConfig(
    [{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-p' }],
    { default: [{ provider: 'p', model: 'm', inputCostPerToken: 1e-4, outputCostPerToken: 1e-4, ...chain }] },
    over,
  );
  const gw = await startTestGateway(loaded);
  gws.push(gw);
  return gw;
}

const ask = (gw: Gateway) =>
  post(`${gw.url}/v1/chat/completions`, {
    model: 'default',
    max_tokens: 7,
    messages: [{ role: 'user', content: 'hi' }],
  });

describe.skipIf(!hasRedis)('two daemons sharing a real redis-server', () => {
  it('enforce one rate limit', async () => {
    const over = { redisUrl: redis.url, rateLimits: { rpm: 5, aliases: { default: { rpm: 1000 } } } };
    const [a, b] = [await daemon(over), await daemon(over)];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await ask(i % 2 ? a : b)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const h = (await (await fetch(`${a.url}/health`)).json()) as any;
    expect(h.usage.store).toMatchObject({ kind: 'redis', ok: true });
  });

  it('enforce one budget, concurrently', async () => {
    // $0.0018 per answer; $0.009 allows 5 across both daemons.
    const over = { redisUrl: redis.url, budgets: { usdPerMonth: 0.009 } };
    const [a, b] = [await daemon(over), await daemon(over)];
    const before = up.requests.length;
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 ? a : b)));
    const served = up.requests.length - before;
    expect(served).toBeLessThanOrEqual(6);
    expect(all.filter((r) => r.status === 200)).toHaveLength(served);
    for (let i = 0; i < 10; i++) if ((await ask(i % 2 ? a : b)).status === 402) break;
    expect(up.requests.length - before).toBeLessThanOrEqual(6);
    expect(up.requests.length - before).toBeGreaterThanOrEqual(5);
    const [ha, hb] = await Promise.all(
      [a, b].map(async (g) => (await (await fetch(`${g.url}/health`)).json()) as any),
    );
    const left = (h: any) => h.usage.budgets.find((x: any) => x.period === 'month').spent_usd;
    expect(left(ha)).toBeCloseTo(left(hb), 9);
  });

  it('share the MCP tools\u2019 conversation threads (kept in Redis, not in either process)', async () => {
    const over = { redisUrl: redis.url };
    const [a, b] = [await daemon(over), await daemon(over)];
    const turns = [
      { role: 'user', content: 'Remember 7.' },
      { role: 'assistant', content: 'Noted.' },
    ];
    const put = await post(`${a.url}/v1/agentbox/threads`, { op: 'append', id: 'shared-t', turns });
    expect(put.json).toEqual({ id: 'shared-t', turns: 2 });
    let got: any;
    for (let i = 0; i < 20; i++) {
      got = await post(`${b.url}/v1/agentbox/threads`, { op: 'get', id: 'shared-t' });
      if (got.json.turns.length === 2) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(got.json.turns).toEqual(turns);
    await post(`${b.url}/v1/agentbox/threads`, { op: 'forget', id: 'shared-t' });
    await new Promise((r) => setTimeout(r, 25));
    expect((await post(`${a.url}/v1/agentbox/threads`, { op: 'get', id: 'shared-t' })).json.turns).toEqual(
      [],
    );
  });

  it('share cooldowns and the response cache', async () => {
    const bad = await startFakeUpstream('openai', {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '30' },
    });
    try {
      const mk = () =>
        startTestGateway(
          makeConfig(
            [
              { name: 'bad', type: 'openai', apiBase: bad.apiBase, apiKey: 'sk-b' },
              { name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-p' },
            ],
            {
              default: [
                { provider: 'bad', model: 'x' },
                { provider: 'p', model: 'm' },
              ],
            },
            { redisUrl: redis.url, cache: { type: 'redis', ttlS: 60, maxEntries: 100 } },
          ),
        );
      const [a, b] = [await mk(), await mk()];
      gws.push(a, b);
      const first = await ask(a);
      expect(first.headers['x-agentbox-deployment']).toBe('p/m');
      expect(bad.requests).toHaveLength(1);
      // B hears of the cooldown and goes straight to the second deployment.
      const deadline = Date.now() + 3000;
      let cooling = false;
      while (!cooling && Date.now() < deadline) {
        const h = (await (await fetch(`${b.url}/health`)).json()) as any;
        cooling = h.deployments.some((d: any) => d.provider === 'bad' && d.state === 'cooling_down');
        if (!cooling) await new Promise((r) => setTimeout(r, 25));
      }
      expect(cooling).toBe(true);
      const body = { model: 'default', messages: [{ role: 'user', content: 'shared cache' }] };
      const viaB = await post(`${b.url}/v1/chat/completions`, body);
      expect(viaB.headers['x-agentbox-deployment']).toBe('p/m');
      expect(viaB.headers['x-agentbox-cache']).toBe('miss');
      expect(bad.requests).toHaveLength(1);
      // What B cached, A answers from Redis.
      const upBefore = up.requests.length;
      const viaA = await post(`${a.url}/v1/chat/completions`, body);
      expect(viaA.headers['x-agentbox-cache']).toBe('hit');
      expect(viaA.text).toBe(viaB.text);
      expect(up.requests.length).toBe(upBefore);
    } finally {
      await bad.close();
    }
  });

  it('keep serving on local limits when Redis goes away, and say so in /health', async () => {
    const own = await startRedis();
    const gw = await daemon({ redisUrl: own.url, rateLimits: { rpm: 100 } });
    expect((await ask(gw)).status).toBe(200);
    await own.stop();
    for (let i = 0; i < 3; i++) expect((await ask(gw)).status).toBe(200);
    const h = (await (await fetch(`${gw.url}/health`)).json()) as any;
    expect(h.usage.store.kind).toBe('redis');
    expect(h.usage.store.ok).toBe(false);
    expect(h.usage.store.error).toBeTruthy();
  });
});

describe('redis_url pointing nowhere', () => {
  it('starts, serves with per-process limits and reports the store as down', async () => {
    const port = await freePort();
    const gw = await daemon({ redisUrl: `redis://:hunter2@127.0.0.1:${port}`, rateLimits: { rpm: 2 } });
    expect((await ask(gw)).status).toBe(200);
    expect((await ask(gw)).status).toBe(200);
    expect((await ask(gw)).status).toBe(429); // the local limit still holds
    const h = (await (await fetch(`${gw.url}/health`)).json()) as any;
    expect(h.usage.store).toMatchObject({ kind: 'redis', ok: false });
    expect(JSON.stringify(h)).not.toContain('hunter2');
  });
});
