import { describe, expect, it } from 'vitest';
import { seeded } from '../../../helpers/seeded.js';
import { canonicalStrategy } from '../../../../src/config/strategy-names.js';
import type { Deployment, ProviderConfig } from '../../../../src/config/types.js';
import { LiveStats } from '../../../../src/gateway/router/live-stats.js';
import {
  LATENCY_EXPLORATION,
  orderChain,
  orderGroup,
  shares,
} from '../../../../src/gateway/router/strategy.js';

const provider: ProviderConfig = {
  name: 'p',
  type: 'openai_compatible',
  apiBase: 'http://x/v1',
  keyState: 'not_needed',
};
const dep = (model: string, index: number, extra: Partial<Deployment> = {}): Deployment => ({
  id: `p/${model}`,
  alias: 'a',
  index,
  provider,
  model,
  ...extra,
});

function firstPicks(group: Deployment[], strategy: Parameters<typeof orderGroup>[1], n: number, seed = 7) {
  const ctx = { stats: new LiveStats(), random: seeded(seed) };
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = orderGroup(group, strategy, ctx)[0].id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return (id: string) => (counts.get(id) ?? 0) / n;
}

describe('weighted strategy', () => {
  it('sends 0.7/0.3 weights 70/30 over 2,000 picks, for several seeds', () => {
    const g = [dep('a', 0, { order: 0, weight: 0.7 }), dep('b', 1, { order: 0, weight: 0.3 })];
    for (const seed of [1, 2, 3, 4, 5]) {
      const share = firstPicks(g, 'weighted', 2000, seed);
      expect(Math.abs(share('p/a') - 0.7)).toBeLessThan(0.04);
      expect(Math.abs(share('p/b') - 0.3)).toBeLessThan(0.04);
    }
  });

  it('honours extreme weights (0.01 vs 100) and puts the unpicked member second, never drops it', () => {
    const g = [dep('a', 0, { order: 0, weight: 0.01 }), dep('b', 1, { order: 0, weight: 100 })];
    const share = firstPicks(g, 'weighted', 2000);
    expect(share('p/b')).toBeGreaterThan(0.99);
    const order = orderGroup(g, 'weighted', { stats: new LiveStats(), random: seeded(3) });
    expect(order.map((d) => d.id).sort()).toEqual(['p/a', 'p/b']);
  });

  it('uses rpm, then tpm, as shares when no weight is set (LiteLLM simple-shuffle); the missing one counts as the average', () => {
    expect(shares([dep('a', 0, { rpm: 300 }), dep('b', 1, { rpm: 100 })])).toEqual([300, 100]);
    expect(shares([dep('a', 0, { tpm: 10 }), dep('b', 1, { tpm: 30 })])).toEqual([10, 30]);
    expect(shares([dep('a', 0, { weight: 2 }), dep('b', 1), dep('c', 2, { weight: 4 })])).toEqual([2, 3, 4]);
    expect(shares([dep('a', 0), dep('b', 1)])).toEqual([1, 1]);
    const share = firstPicks([dep('a', 0, { rpm: 300 }), dep('b', 1, { rpm: 100 })], 'weighted', 2000);
    expect(Math.abs(share('p/a') - 0.75)).toBeLessThan(0.04);
  });
});

describe('groups', () => {
  it('walks groups by order; members of a group come before the next group whatever the strategy', () => {
    const chain = [
      dep('c', 0, { order: 2 }),
      dep('a', 1, { order: 1, weight: 1 }),
      dep('b', 2, { order: 1, weight: 1 }),
      dep('d', 3, { order: 3 }),
    ];
    for (const s of ['ordered', 'weighted', 'least_busy', 'latency', 'usage', 'cost'] as const) {
      for (let seed = 0; seed < 20; seed++) {
        const ids = orderChain(chain, s, { stats: new LiveStats(), random: seeded(seed) }).map((d) => d.id);
        expect(ids.slice(0, 2).sort()).toEqual(['p/a', 'p/b']);
        expect(ids.slice(2)).toEqual(['p/c', 'p/d']);
      }
    }
  });

  it('keeps a chain without order in its written order, weights or not', () => {
    const chain = [dep('a', 0, { weight: 0.01 }), dep('b', 1, { weight: 100 }), dep('c', 2)];
    for (let seed = 0; seed < 50; seed++)
      expect(orderChain(chain, 'weighted', { stats: new LiveStats(), random: seeded(seed) })).toEqual(chain);
  });
});

describe('live-figure strategies', () => {
  it('least_busy picks the member with fewest requests in flight', () => {
    const stats = new LiveStats();
    const g = [dep('a', 0), dep('b', 1), dep('c', 2)];
    stats.begin('p/a');
    stats.begin('p/a');
    const endB = stats.begin('p/b');
    expect(orderGroup(g, 'least_busy', { stats }).map((d) => d.id)).toEqual(['p/c', 'p/b', 'p/a']);
    endB();
    endB(); // ending twice counts once
    expect(stats.inFlight('p/b')).toBe(0);
    expect(orderGroup(g, 'least_busy', { stats, random: seeded(1) })[2].id).toBe('p/a');
  });

  it('latency tries unmeasured members first, then the lowest EWMA, exploring now and then', () => {
    let t = 0;
    const stats = new LiveStats(() => t);
    const g = [dep('slow', 0), dep('fast', 1), dep('new', 2)];
    stats.observeLatency('p/slow', 900);
    stats.observeLatency('p/fast', 100);
    stats.observeLatency('p/fast', 200); // EWMA 100 + 0.3 * 100 = 130
    expect(stats.latencyMs('p/fast')).toBeCloseTo(130);
    const noExplore = () => 0.99;
    expect(orderGroup(g, 'latency', { stats, random: noExplore }).map((d) => d.id)).toEqual([
      'p/new',
      'p/fast',
      'p/slow',
    ]);
    stats.observeLatency('p/new', 500);
    expect(orderGroup(g, 'latency', { stats, random: noExplore })[0].id).toBe('p/fast');
    const share = (() => {
      const r = seeded(11);
      let other = 0;
      for (let i = 0; i < 4000; i++)
        if (orderGroup(g, 'latency', { stats, random: r })[0].id !== 'p/fast') other++;
      return other / 4000;
    })();
    expect(Math.abs(share - LATENCY_EXPLORATION)).toBeLessThan(0.03);
    // A figure older than five minutes is stale: the member is explored again, first.
    t += 6 * 60_000;
    stats.observeLatency('p/fast', 100);
    stats.observeLatency('p/new', 500);
    expect(orderGroup(g, 'latency', { stats, random: noExplore })[0].id).toBe('p/slow');
  });

  it('usage picks the most rpm/tpm headroom left this minute', () => {
    let t = 0;
    const stats = new LiveStats(() => t);
    const a = dep('a', 0, { rpm: 10 });
    const b = dep('b', 1, { tpm: 1000 });
    for (let i = 0; i < 5; i++) stats.begin('p/a')(); // 5 of 10 rpm: headroom 0.5
    stats.begin('p/b');
    stats.addTokens('p/b', 300); // 300 of 1000 tpm: headroom 0.7
    expect(stats.headroom(a)).toBeCloseTo(0.5);
    expect(stats.headroom(b)).toBeCloseTo(0.7);
    expect(orderGroup([a, b], 'usage', { stats, random: seeded(2) })[0].id).toBe('p/b');
    stats.addTokens('p/b', 500);
    expect(orderGroup([a, b], 'usage', { stats, random: seeded(2) })[0].id).toBe('p/a');
    t += 60_000; // a new minute: both have full headroom
    expect(stats.headroom(b)).toBe(1);
  });

  it('cost puts the cheapest known price first and unknown prices last', () => {
    const g = [dep('unknown', 0), dep('dear', 1), dep('cheap', 2)];
    const price: Record<string, number> = { 'p/dear': 3e-5, 'p/cheap': 1e-6 };
    const ids = orderGroup(g, 'cost', { stats: new LiveStats(), priceOf: (d) => price[d.id] }).map(
      (d) => d.id,
    );
    expect(ids).toEqual(['p/cheap', 'p/dear', 'p/unknown']);
  });
});

describe('strategy names', () => {
  it("accepts LiteLLM's routing_strategy names as aliases and refuses others by name", () => {
    expect(canonicalStrategy('simple-shuffle')).toBe('weighted');
    expect(canonicalStrategy('least-busy')).toBe('least_busy');
    expect(canonicalStrategy('latency-based-routing')).toBe('latency');
    expect(canonicalStrategy('usage-based-routing-v2')).toBe('usage');
    expect(canonicalStrategy('cost-based-routing')).toBe('cost');
    expect(canonicalStrategy('ordered')).toBe('ordered');
    expect(() => canonicalStrategy('round-robin')).toThrow(/unknown routing strategy "round-robin"/);
  });
});
