import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { LoadedConfig } from '../../src/config/types.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type Behaviour, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway.js';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

function load(text: string): LoadedConfig {
  const r = loadConfigText(text, { env: {} });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.loaded;
}

/** Fake OpenAI-format upstreams `u0..uN-1`, each its own provider `p0..`, and a gateway on `models:` YAML. */
async function world(behaviours: Behaviour[][], models: string, router = '') {
  const ups: FakeUpstream[] = [];
  for (const b of behaviours) ups.push(await startFakeUpstream('openai', ...b));
  open.push(...ups);
  const providers = ups
    .map((u, i) => `    p${i}: { type: openai_compatible, api_base: "${u.apiBase}" }`)
    .join('\n');
  const loaded = load(
    `litellm:\n  port: 0\n  providers:\n${providers}\n  models:\n${models}\n  router: { num_retries: 0, allowed_fails: 1${router} }\n`,
  );
  const gw = await startTestGateway(loaded);
  open.push(gw);
  return { ups, gw, loaded };
}

async function chat(gw: Gateway, headers: Record<string, string> = {}) {
  const r = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k', ...headers },
    body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await r.body.json()) as { choices?: unknown[] };
  return { status: r.statusCode, deployment: String(r.headers['x-agentbox-deployment']), body };
}

/** `n` requests, `concurrency` at a time; returns the serving deployment of each. */
async function many(gw: Gateway, n: number, concurrency = 16): Promise<string[]> {
  const out: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const r = await chat(gw);
        expect(r.status).toBe(200);
        out.push(r.deployment);
      }
    }),
  );
  return out;
}

const share = (xs: string[], id: string) => xs.filter((x) => x === id).length / xs.length;

describe('weighted groups through the gateway', () => {
  it('2,000 requests at weights 0.7/0.3 land 70/30 within 4 points', async () => {
    const { ups, gw } = await world(
      [[{ kind: 'ok' }], [{ kind: 'ok' }]],
      `    pool:\n      - { provider: p0, model: a, order: 1, weight: 0.7 }\n      - { provider: p1, model: b, order: 1, weight: 0.3 }`,
    );
    const served = await many(gw, 2000);
    expect(Math.abs(share(served, 'p0/a') - 0.7)).toBeLessThan(0.04);
    expect(Math.abs(share(served, 'p1/b') - 0.3)).toBeLessThan(0.04);
    expect(ups[0].requests.length + ups[1].requests.length).toBe(2000);
  });

  it('a failing member moves the request to its group before the next group; status shows groups and shares', async () => {
    const { ups, gw } = await world(
      [[{ kind: 'status', status: 500 }], [{ kind: 'ok', text: 'b' }], [{ kind: 'ok', text: 'c' }]],
      `    pool:\n      - { provider: p0, model: a, order: 1, weight: 1 }\n      - { provider: p1, model: b, order: 1, weight: 3 }\n      - { provider: p2, model: c, order: 2 }`,
    );
    const served = await many(gw, 40, 1);
    expect(new Set(served)).toEqual(new Set(['p1/b']));
    expect(ups[2].requests).toHaveLength(0);
    expect(ups[0].requests.length).toBeGreaterThanOrEqual(1); // tried, failed, cooled down
    const info = (await (await request(`${gw.url}/model/info`)).body.json()) as {
      data: Array<{ model_info: Record<string, unknown> }>;
    };
    expect(info.data.map((r) => [r.model_info.id, r.model_info.group, r.model_info.share])).toEqual([
      ['p0/a', 1, 0.25],
      ['p1/b', 1, 0.75],
      ['p2/c', 2, null],
    ]);
    expect(info.data[0].model_info.strategy).toBe('weighted');
  });

  it('an alias without order keeps its written chain: every request goes to the first entry', async () => {
    const { ups, gw, loaded } = await world(
      [[{ kind: 'ok' }], [{ kind: 'ok' }]],
      `    pool:\n      - { provider: p0, model: a, weight: 0.01 }\n      - { provider: p1, model: b, weight: 100 }`,
    );
    const served = await many(gw, 50, 4);
    expect(share(served, 'p0/a')).toBe(1);
    expect(ups[1].requests).toHaveLength(0);
    // The weights do nothing there, and the loader says so.
    expect(loaded.warnings.map((w) => w.path)).toEqual(
      expect.arrayContaining(['litellm.models.pool[0].weight', 'litellm.models.pool[1].weight']),
    );
  });
});

describe('strategies by live figures, per alias', () => {
  it('least_busy (LiteLLM least-busy) sends concurrent requests to the idle member', async () => {
    const { ups, gw } = await world(
      [[{ kind: 'slow', ms: 400 }], [{ kind: 'slow', ms: 400 }]],
      `    pool:\n      - { provider: p0, model: a, order: 0 }\n      - { provider: p1, model: b, order: 0 }`,
      ', aliases: { pool: { strategy: least-busy } }',
    );
    const pending: Array<ReturnType<typeof chat>> = [];
    for (let i = 0; i < 4; i++) {
      pending.push(chat(gw));
      await new Promise((r) => setTimeout(r, 60));
    }
    const served = (await Promise.all(pending)).map((r) => r.deployment);
    expect(share(served, 'p0/a')).toBe(0.5);
    expect(ups[0].requests).toHaveLength(2);
    expect(ups[1].requests).toHaveLength(2);
  });

  it('latency prefers the member with the lower time to first token', async () => {
    const { gw } = await world(
      [[{ kind: 'slow', ms: 150 }], [{ kind: 'ok' }]],
      `    pool:\n      - { provider: p0, model: slow, order: 0 }\n      - { provider: p1, model: fast, order: 0 }`,
      ', strategy: latency-based-routing',
    );
    const served = await many(gw, 60, 1);
    // Both measured in the first turns; afterwards only exploration (10%) reaches the slow one.
    expect(share(served.slice(10), 'p1/fast')).toBeGreaterThan(0.75);
    const info = (await (await request(`${gw.url}/model/info`)).body.json()) as {
      data: Array<{ model_info: Record<string, unknown> }>;
    };
    expect(info.data[0].model_info.ewma_ttft_ms as number).toBeGreaterThanOrEqual(140);
    expect(info.data[1].model_info.ewma_ttft_ms as number).toBeLessThan(140);
  });

  it('cost sends everything to the cheaper member; usage to the one with rpm headroom', async () => {
    const cost = await world(
      [[{ kind: 'ok' }], [{ kind: 'ok' }]],
      `    pool:\n      - { provider: p0, model: dear, order: 0, input_cost_per_token: 0.00001, output_cost_per_token: 0.00003 }\n      - { provider: p1, model: cheap, order: 0, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }`,
      ', strategy: cost-based-routing',
    );
    expect(share(await many(cost.gw, 20, 2), 'p1/cheap')).toBe(1);

    const usage = await world(
      [[{ kind: 'ok' }], [{ kind: 'ok' }]],
      `    pool:\n      - { provider: p0, model: small, order: 0, rpm: 4 }\n      - { provider: p1, model: big, order: 0, rpm: 40 }`,
      ', strategy: usage-based-routing-v2',
    );
    const served = await many(usage.gw, 20, 1);
    // The member with 4 rpm is used only while it has more headroom left than the 40-rpm one.
    expect(share(served, 'p1/big')).toBeGreaterThanOrEqual(0.85);
    expect(usage.ups[0].requests.length).toBeLessThanOrEqual(3);
  });
});
