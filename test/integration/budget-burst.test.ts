import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { post } from '../helpers/usage.js';

/**
 * A burst of `max_tokens: 4096` requests against a budget that pays for each many times over (each
 * answer costs $0.00000585; reserving 4096 output tokens would hold $0.0025 each): the budget admits
 * them, and a refusal says what was spent and what is only reserved by requests in flight.
 */
const PRICE = { inputCostPerToken: 0.15e-6, outputCostPerToken: 0.6e-6 };
const ACTUAL = 11 * 0.15e-6 + 7 * 0.6e-6;
let up: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  up = await startFakeUpstream('openai', { kind: 'slow', ms: 400 });
  const loaded = makeConfig(
    [{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-p' }],
    { mini: [{ provider: 'p', model: 'gpt-4o-mini', ...PRICE }] },
    { budgets: { usdPerDay: 0.0016 } },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await up?.close();
});

const ask = () =>
  post(`${gw.url}/v1/chat/completions`, {
    model: 'mini',
    max_tokens: 4096,
    messages: [{ role: 'user', content: 'say hi' }],
  });

describe('budget burst', () => {
  it('budget burst with max_tokens 4096: all 10 requests the budget can pay for are admitted', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, ask));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(up.requests).toHaveLength(10);
    const h = (await (await fetch(`${gw.url}/health`)).json()) as any;
    const day = h.usage.budgets.find((b: any) => b.scope === 'global' && b.period === 'day');
    expect(day.spent_usd).toBeCloseTo(10 * ACTUAL, 12);
  });

  it('budget burst: overspend stays bounded and the 402 says spent and reserved separately', async () => {
    const all = await Promise.all(Array.from({ length: 30 }, ask));
    const refused = all.filter((r) => r.status === 402);
    const served = all.filter((r) => r.status === 200).length;
    expect(refused.length).toBeGreaterThan(0);
    // Each in-flight request holds its prompt and 256 output tokens: the budget bounds how many run at once.
    expect(served).toBeLessThanOrEqual(11);
    const msg: string = refused[0].json.error.message;
    expect(msg).toMatch(
      /daily budget of \$0\.0016 is used up \(\$0\.0000(5|6)\d* spent, \$0\.001[5-9]\d* reserved by requests in flight\)/,
    );
    expect(refused[0].json.error.type).toBe('budget_exceeded');
  });
});
