import { afterEach, describe, expect, it } from 'vitest';
import type { LitellmConfig } from '../../src/config/types.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { post } from '../helpers/usage.js';

let ups: FakeUpstream[] = [];
let gws: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gws.map((g) => g.stop(100)));
  await Promise.all(ups.map((u) => u.close()));
  gws = [];
  ups = [];
});

// Each answer costs (11 + 7) tokens × $0.0001 = $0.0018 (the fake upstream's usage).
const PRICED = { inputCostPerToken: 1e-4, outputCostPerToken: 1e-4 };

async function setup(over: Partial<LitellmConfig>, chain: Record<string, unknown> = {}, slowMs = 0) {
  const up = await startFakeUpstream('openai', slowMs ? { kind: 'slow', ms: slowMs } : { kind: 'ok' });
  const up2 = await startFakeUpstream('openai');
  ups.push(up, up2);
  const loaded = makeConfig(
    [
      { name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-p' },
      { name: 'q', type: 'openai', apiBase: up2.apiBase, apiKey: 'sk-q' },
    ],
    {
      default: [
        { provider: 'p', model: 'm', ...PRICED, ...chain },
        { provider: 'q', model: 'n', ...PRICED },
      ],
      solo: [{ provider: 'p', model: 'm', ...PRICED, ...chain }],
      code: [{ provider: 'p', model: 'm', ...PRICED }],
      'claude-*': [{ provider: 'p', model: 'm', ...PRICED }],
    },
    over,
  );
  const gw = await startTestGateway(loaded);
  gws.push(gw);
  return { up, up2, gw };
}

const ask = (
  gw: Gateway,
  model = 'solo',
  headers: Record<string, string> = {},
  path = '/v1/chat/completions',
) => post(`${gw.url}${path}`, { model, max_tokens: 7, messages: [{ role: 'user', content: 'hi' }] }, headers);

describe('budgets', () => {
  it('40 concurrent requests against a budget that allows 10: at most 11 reach the upstream', async () => {
    const { up, gw } = await setup({ budgets: { usdPerDay: 0.018 } }, {}, 150);
    const all = await Promise.all(Array.from({ length: 40 }, () => ask(gw)));
    const ok = all.filter((r) => r.status === 200).length;
    const refused = all.filter((r) => r.status === 402);
    expect(up.requests.length).toBeLessThanOrEqual(11);
    expect(ok).toBe(up.requests.length);
    expect(ok).toBeGreaterThan(0);
    expect(refused.length).toBe(40 - ok);
    expect(refused[0].json.error.type).toBe('budget_exceeded');
    // Then one by one until the budget is used up: never more than 11 in all, and the budget is used.
    for (let i = 0; i < 20; i++) if ((await ask(gw)).status === 402) break;
    expect(up.requests.length).toBeLessThanOrEqual(11);
    expect(up.requests.length).toBeGreaterThanOrEqual(10);
    const health = (await (await fetch(`${gw.url}/health`)).json()) as any;
    const day = health.usage.budgets.find((b: any) => b.scope === 'global' && b.period === 'day');
    expect(day.spent_usd).toBeCloseTo(up.requests.length * 0.0018, 9);
    expect(day.spent_usd).toBeLessThanOrEqual(0.018 + 0.0018 + 1e-12);
    expect(health.usage.spend.today_usd).toBeCloseTo(day.spent_usd, 9);
  });

  it('refuses before any upstream call, in the client dialect, with alias and key budgets', async () => {
    const keys = {
      codex: { name: 'codex', key: 'sk-codex', keyState: 'set' as const, budget: { usdPerDay: 0.001 } },
      claude: { name: 'claude', key: 'sk-claude', keyState: 'set' as const },
    };
    const { up, gw } = await setup({ keys, budgets: { aliases: { code: { usdPerMonth: 0 } } } });
    const anth = await post(
      `${gw.url}/v1/messages`,
      { model: 'code', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': 'sk-claude' },
    );
    expect(anth.status).toBe(402);
    expect(anth.json).toMatchObject({ type: 'error', error: { type: 'billing_error' } });
    expect(anth.json.error.message).toContain('monthly budget of "code"');
    expect(up.requests).toHaveLength(0);
    expect((await ask(gw, 'solo', { authorization: 'Bearer sk-codex' })).status).toBe(200); // $0.0018 > $0.001
    const second = await ask(gw, 'solo', { authorization: 'Bearer sk-codex' });
    expect(second.status).toBe(402);
    expect(second.json.error.message).toContain('daily budget of this key');
    expect((await ask(gw, 'solo', { authorization: 'Bearer sk-claude' })).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('429 with a Retry-After that matches the key rpm', async () => {
    const keys = { codex: { name: 'codex', key: 'sk-codex', keyState: 'set' as const, rpm: 3 } };
    const { up, gw } = await setup({ keys });
    const h = { authorization: 'Bearer sk-codex' };
    for (let i = 0; i < 3; i++) expect((await ask(gw, 'solo', h)).status).toBe(200);
    const r = await ask(gw, 'solo', h);
    expect(r.status).toBe(429);
    expect(r.json.error.type).toBe('rate_limit');
    // 3 per minute: the next one fits 20 s after the first, less the few ms these requests took.
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(20);
    expect(up.requests).toHaveLength(3);
  });

  it('global and alias limits; a deployment at its own rpm is skipped like a cooling one', async () => {
    const { up, up2, gw } = await setup({ rateLimits: { aliases: { code: { rpm: 1 } } } }, { rpm: 2 });
    expect((await ask(gw, 'code')).status).toBe(200);
    const alias = await ask(gw, 'code');
    expect(alias.status).toBe(429);
    expect(alias.json.error.message).toContain('alias "code"');
    // default = [p/m with rpm 2, q/n]: the third and fourth requests skip p/m.
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await ask(gw, 'default')).headers['x-agentbox-deployment']);
    expect(answers).toEqual(['p/m', 'p/m', 'q/n', 'q/n']);
    expect(up2.requests).toHaveLength(2);
    // solo has only p/m, which is at its limit: 429 without an upstream call.
    const before = up.requests.length;
    const solo = await ask(gw, 'solo');
    expect(solo.status).toBe(429);
    expect(Number(solo.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(up.requests.length).toBe(before);
  });

  it('a global tpm counts real tokens', async () => {
    const { gw } = await setup({ rateLimits: { tpm: 70 } });
    // Each request must find its estimate (body/4 + 7 output = 25 tokens) in the bucket and uses 18:
    // by estimates alone only 2 would pass; with the real counts 3 do (70 → 52 → 34 → 16).
    expect((await ask(gw)).status).toBe(200);
    expect((await ask(gw)).status).toBe(200);
    expect((await ask(gw)).status).toBe(200);
    const r = await ask(gw);
    expect(r.status).toBe(429);
    expect(r.json.error.message).toContain('tokens per minute');
  });
});

describe('virtual keys', () => {
  const keys = {
    claude: {
      name: 'claude',
      key: 'sk-claude-secret',
      keyState: 'set' as const,
      models: ['claude-*', 'code'],
    },
    codex: { name: 'codex', key: 'sk-codex-secret', keyState: 'set' as const, models: ['default'] },
  };

  it('401 for unknown keys, 403 naming the model for a model the key may not use', async () => {
    const { up, gw } = await setup({ keys, masterKey: 'master-secret' });
    expect((await ask(gw, 'solo')).status).toBe(401);
    expect((await ask(gw, 'solo', { authorization: 'Bearer nope' })).status).toBe(401);
    const denied = await ask(gw, 'default', { authorization: 'Bearer sk-claude-secret' });
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toContain('"default"');
    expect(denied.text).not.toContain('claude');
    const anth = await post(
      `${gw.url}/v1/messages`,
      { model: 'default', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': 'sk-claude-secret' },
    );
    expect(anth.json).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    expect(up.requests).toHaveLength(0);
    expect((await ask(gw, 'claude-sonnet-4-5', { authorization: 'Bearer sk-claude-secret' })).status).toBe(
      200,
    );
    expect((await ask(gw, 'code', { 'x-api-key': 'sk-claude-secret' })).status).toBe(200);
    expect((await ask(gw, 'default', { authorization: 'Bearer sk-codex-secret' })).status).toBe(200);
    expect((await ask(gw, 'default', { authorization: 'Bearer master-secret' })).status).toBe(200);
  });

  it('/v1/models lists only what the calling key may use', async () => {
    const { gw } = await setup({ keys });
    const list = async (key: string) =>
      (
        (await (
          await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })
        ).json()) as any
      ).data.map((m: any) => m.id);
    // The glob alias is listed by its pattern and by the default names Claude Code asks for.
    expect(await list('sk-claude-secret')).toEqual([
      'code',
      'claude-*',
      'claude-opus-4-8',
      'claude-haiku-4-5-20251001',
      'claude-haiku-4-5',
    ]);
    expect(await list('sk-codex-secret')).toEqual(['default']);
    expect((await fetch(`${gw.url}/v1/models`)).status).toBe(401);
  });
});
