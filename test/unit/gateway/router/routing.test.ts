import { describe, expect, it } from 'vitest';
import type { Deployment, LitellmConfig, ProviderConfig } from '../../../../src/config/types.js';
import { SessionAffinity } from '../../../../src/gateway/router/affinity.js';
import { LiveStats } from '../../../../src/gateway/router/live-stats.js';
import { planRouting } from '../../../../src/gateway/router/routing.js';

const provider: ProviderConfig = {
  name: 'p',
  type: 'openai_compatible',
  apiBase: 'http://x/v1',
  keyState: 'not_needed',
};
const dep = (model: string, index: number): Deployment => ({
  id: `p/${model}`,
  alias: 'a',
  index,
  provider,
  model,
});
const config = { router: { strategy: 'weighted' } } as unknown as LitellmConfig;
const a = dep('a', 0);
const b = dep('b', 1);

async function plan(affinity: SessionAffinity, session?: string) {
  return planRouting({ config, alias: 'a', stats: new LiveStats(), affinity, session });
}

describe('planRouting: what affinity did', () => {
  it('none without a session; new on its first turn, then stuck to the deployment that served', async () => {
    const affinity = new SessionAffinity({});
    expect((await plan(affinity)).outcome).toBe('none');

    const first = await plan(affinity, 's1');
    expect(first.outcome).toBe('new');
    first.order([a, b]);
    first.begin(a).served();
    expect(first.outcome).toBe('new');

    const second = await plan(affinity, 's1');
    expect(second.outcome).toBe('stuck');
    expect(second.order([b, a]).map((d) => d.id)).toEqual(['p/a', 'p/b']);
    second.begin(a).served();
    expect(second.outcome).toBe('stuck');
  });

  it('moved when the sticky deployment is not in the order, or another one served', async () => {
    const affinity = new SessionAffinity({});
    affinity.remember('a\u0000s2', 'p/a');
    const gone = await plan(affinity, 's2');
    gone.order([b]);
    expect(gone.outcome).toBe('moved');

    const fellBack = await plan(affinity, 's2');
    fellBack.order([a, b]);
    expect(fellBack.outcome).toBe('stuck');
    fellBack.begin(b).served();
    expect(fellBack.outcome).toBe('moved');
    expect(await affinity.lookup('a\u0000s2')).toBe('p/b');
  });

  it('outcome is a data property, not a getter made per request', async () => {
    // V8 allocates an object literal's accessor pair in the old generation: a getter made for each
    // request held that request's closures past every young-generation collection.
    const r = await plan(new SessionAffinity({}), 's3');
    const d = Object.getOwnPropertyDescriptor(r, 'outcome');
    expect(d).toMatchObject({ value: 'new', writable: true });
    expect(d?.get).toBeUndefined();
  });
});
