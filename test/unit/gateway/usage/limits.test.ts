import { describe, expect, it } from 'vitest';
import type { Deployment, LitellmConfig, VirtualKey } from '../../../../src/config/types.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import { Budgets } from '../../../../src/gateway/usage/budgets.js';
import type { DayRows } from '../../../../src/gateway/usage/ledger-format.js';
import { MemoryStore } from '../../../../src/gateway/usage/memory-store.js';
import { RateLimiter } from '../../../../src/gateway/usage/rate-limit.js';

const clock = (start = Date.UTC(2026, 0, 15, 10)) => {
  const c = { t: start, now: () => c.t };
  return c;
};
const config = (over: Partial<LitellmConfig> = {}): LitellmConfig =>
  ({ models: [], providers: {}, ...over }) as unknown as LitellmConfig;

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    return e as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('MemoryStore token buckets', () => {
  it('gives a minute of requests, then says exactly when the next one fits', () => {
    const c = clock();
    const s = new MemoryStore(c.now);
    const b = { key: 'k', capacity: 3, perMs: 3 / 60_000, cost: 1 };
    for (let i = 0; i < 3; i++) expect(s.take([b]).ok).toBe(true);
    const r = s.take([b]);
    expect(r).toMatchObject({ ok: false, blocked: 0 });
    expect(r.waitMs).toBe(20_000);
    c.t += 19_999;
    expect(s.take([b]).ok).toBe(false);
    c.t += 1;
    expect(s.take([b]).ok).toBe(true);
  });

  it('takes from every bucket or from none', () => {
    const c = clock();
    const s = new MemoryStore(c.now);
    const wide = { key: 'wide', capacity: 10, perMs: 10 / 60_000, cost: 1 };
    const narrow = { key: 'narrow', capacity: 1, perMs: 1 / 60_000, cost: 1 };
    expect(s.take([wide, narrow]).ok).toBe(true);
    expect(s.take([wide, narrow])).toMatchObject({ ok: false, blocked: 1 });
    // the refused request took nothing from the wide bucket: 9 are left
    for (let i = 0; i < 9; i++) expect(s.take([wide]).ok).toBe(true);
    expect(s.take([wide]).ok).toBe(false);
  });

  it('corrects a token estimate afterwards, into debt when the request used more', () => {
    const c = clock();
    const s = new MemoryStore(c.now);
    const b = { key: 't', capacity: 1000, perMs: 1000 / 60_000, cost: 400 };
    expect(s.take([b]).ok).toBe(true);
    s.adjust(b, -900); // it used 1300 tokens, not 400
    expect(s.peek({ ...b, cost: 1 })).toBeGreaterThan(0);
    expect(s.take([{ ...b, cost: 1 }]).ok).toBe(false);
  });

  it('reserves money counters atomically while each is below its limit', () => {
    const s = new MemoryStore();
    const a = { key: 'a', amount: 5, limit: 10, seed: 0, ttlMs: 60_000 };
    const b = { key: 'b', amount: 5, limit: 100, seed: 90, ttlMs: 60_000 };
    expect(s.reserve([a, b]).ok).toBe(true); // a 5, b 95
    expect(s.reserve([a, b]).ok).toBe(true); // a 10, b 100
    expect(s.reserve([a, b])).toMatchObject({ ok: false, blocked: 0, value: 10 });
    s.add({ key: 'a', amount: -7, seed: 0, ttlMs: 60_000 });
    expect(s.reserve([a, b])).toMatchObject({ ok: false, blocked: 1, value: 100 });
    expect(s.get('a')).toBe(3);
  });

  it('keeps the response cache as an LRU with a TTL', () => {
    const c = clock();
    const s = new MemoryStore(c.now);
    s.cacheSet('x', '1', 1000, 2);
    s.cacheSet('y', '2', 1000, 2);
    expect(s.cacheGet('x')).toBe('1'); // x is now the most recent
    s.cacheSet('z', '3', 1000, 2); // evicts y
    expect(s.cacheGet('y')).toBeUndefined();
    expect(s.cacheGet('x')).toBe('1');
    c.t += 1001;
    expect(s.cacheGet('x')).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  const key: VirtualKey = { name: 'claude', keyState: 'set', key: 'secret', rpm: 2 };

  it('refuses the request past a key rpm with 429 and a Retry-After that holds', async () => {
    const c = clock();
    const rl = new RateLimiter(new MemoryStore(c.now));
    const cfg = config();
    await rl.admit(cfg, { key, alias: 'code' }, 10);
    await rl.admit(cfg, { key, alias: 'code' }, 10);
    const e = await refusal(rl.admit(cfg, { key, alias: 'code' }, 10));
    expect(e.code).toBe('rate_limit');
    expect(e.status).toBe(429);
    expect(e.retryAfterS).toBe(30);
    expect(e.message).toContain('this key');
    expect(e.message).not.toContain('secret');
    c.t += 29_000;
    await refusal(rl.admit(cfg, { key, alias: 'code' }, 10));
    c.t += 1_000;
    await expect(rl.admit(cfg, { key, alias: 'code' }, 10)).resolves.not.toBeNull();
  });

  it('applies alias and global limits, and tpm from the estimate corrected by the real count', async () => {
    const c = clock();
    const rl = new RateLimiter(new MemoryStore(c.now));
    const cfg = config({ rateLimits: { tpm: 1000, aliases: { code: { rpm: 1 } } } });
    await rl.admit(cfg, { alias: 'code' }, 100);
    expect((await refusal(rl.admit(cfg, { alias: 'code' }, 100))).message).toContain('alias "code"');
    const t = await rl.admit(cfg, { alias: 'other' }, 800);
    expect(t).not.toBeNull();
    // 900 of 1000 tokens taken by estimate: another 800 must wait...
    expect((await refusal(rl.admit(cfg, { alias: 'other' }, 800))).message).toContain('tokens per minute');
    // ...until the real count (50) replaces the estimate.
    rl.settle(t!, 50);
    await expect(rl.admit(cfg, { alias: 'other' }, 800)).resolves.not.toBeNull();
  });

  it("takes from a deployment's own rpm and reports the wait", async () => {
    const c = clock();
    const rl = new RateLimiter(new MemoryStore(c.now));
    const d = { id: 'p/m', rpm: 1 } as Deployment;
    expect(rl.deploymentWait(d, 1)).toBe(0);
    expect((await rl.acquireDeployment(d, 1)).ok).toBe(true);
    expect(rl.deploymentWait(d, 1)).toBe(60_000);
    expect(await rl.acquireDeployment(d, 1)).toMatchObject({ ok: false, waitMs: 60_000 });
    expect(rl.deploymentWait({ id: 'q/m' } as Deployment, 1)).toBe(0);
  });
});

describe('Budgets', () => {
  const key: VirtualKey = { name: 'codex', keyState: 'set', key: 'v', budget: { usdPerDay: 1 } };

  it('admits while a budget is below its limit, reserving the estimate, and settles to the actual cost', async () => {
    const c = clock();
    const b = new Budgets(new MemoryStore(c.now), c.now);
    const cfg = config({ budgets: { usdPerDay: 0.01 } });
    const r1 = await b.reserve(cfg, { alias: 'x' }, () => 0.006);
    const r2 = await b.reserve(cfg, { alias: 'x' }, () => 0.006); // 0.006 < 0.01: admitted
    const e = await refusal(b.reserve(cfg, { alias: 'x' }, () => 0.006)); // 0.012 reserved
    expect(e.code).toBe('budget_exceeded');
    expect(e.status).toBe(402);
    expect(e.message).toContain('daily budget of $0.01');
    b.settle(r1!, 0.001);
    b.settle(r2!, 0.001);
    await expect(b.reserve(cfg, { alias: 'x' }, () => 0.006)).resolves.not.toBeNull();
  });

  it('applies key and alias budgets, seeds them from the ledger, and starts again on a new day', async () => {
    const c = clock();
    const b = new Budgets(new MemoryStore(c.now), c.now);
    const today = new Date(c.t).toISOString().slice(0, 10);
    const rows: DayRows = new Map([
      [
        'r',
        {
          key: 'codex',
          alias: 'code',
          deployment: 'p/m',
          day: today,
          requests: 3,
          input_tokens: 0,
          output_tokens: 0,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          usd: 1.2,
          unpriced_requests: 0,
        },
      ],
    ]);
    b.seed(new Map([[today, rows]]));
    expect(b.spentUsd('day')).toBeCloseTo(1.2, 9);
    const cfg = config({ keys: { codex: key }, budgets: { aliases: { code: { usdPerMonth: 5 } } } });
    const e = await refusal(b.reserve(cfg, { key, alias: 'code' }, () => 0.01));
    expect(e.message).toContain('daily budget of this key');
    expect(e.message).not.toContain('"v"');
    // another alias with no budget, no key: nothing applies
    expect(await b.reserve(cfg, { alias: 'fast' }, () => 0.01)).toBeNull();
    const views = await b.views(cfg);
    expect(views.find((v) => v.scope === 'key')).toMatchObject({
      name: 'codex',
      period: 'day',
      limit_usd: 1,
      left_usd: 0,
    });
    expect(views.find((v) => v.scope === 'alias')).toMatchObject({
      name: 'code',
      period: 'month',
      left_usd: 3.8,
    });
    c.t += 86_400_000;
    await expect(b.reserve(cfg, { key, alias: 'code' }, () => 0.01)).resolves.not.toBeNull();
  });

  it('refuses at a limit of 0 even when the price is unknown', async () => {
    const b = new Budgets(new MemoryStore());
    await expect(
      b.reserve(config({ budgets: { usdPerMonth: 0 } }), { alias: 'a' }, () => null),
    ).rejects.toMatchObject({
      code: 'budget_exceeded',
    });
  });
});
