import { groupsOf } from '../../config/groups.js';
import type { Deployment, LitellmConfig } from '../../config/types.js';
import type { StrategyName } from '../../config/strategy-names.js';
import type { LiveStats } from './live-stats.js';

/** How often the latency strategy tries a member other than the fastest, so a recovered one is seen. */
export const LATENCY_EXPLORATION = 0.1;

export interface PickContext {
  stats: LiveStats;
  /** Uniform in [0, 1); Math.random unless a test passes its own. */
  random?: () => number;
  /** USD per input plus output token, when known. */
  priceOf?: (d: Deployment) => number | undefined;
}

/** The alias's strategy: its own override, else `router.strategy`, else weighted. */
export function strategyFor(config: LitellmConfig, alias: string): StrategyName {
  return config.router.aliasStrategies?.[alias] ?? config.router.strategy ?? 'weighted';
}

/**
 * The order in which a request tries the chain: groups of equal `order` lowest first, each group's
 * members ordered by the strategy (the pick first, then the others it would pick next), so a
 * failing or cooling member moves the request to its group's others before the next group.
 * A chain of single-member groups (no `order` set) stays in its written order.
 */
export function orderChain(chain: Deployment[], strategy: StrategyName, ctx: PickContext): Deployment[] {
  if (chain.length < 2) return chain;
  const out: Deployment[] = [];
  for (const g of groupsOf(chain)) out.push(...(g.length < 2 ? g : orderGroup(g, strategy, ctx)));
  return out;
}

export function orderGroup(group: Deployment[], strategy: StrategyName, ctx: PickContext): Deployment[] {
  const random = ctx.random ?? Math.random;
  const { stats } = ctx;
  switch (strategy) {
    case 'ordered':
      return [...group];
    case 'weighted':
      return weightedOrder(group, shares(group), random);
    case 'least_busy':
      return sortBy(shuffle(group, random), (d) => stats.inFlight(d.id));
    case 'usage':
      return sortBy(
        shuffle(group, random),
        (d) => -stats.headroom(d),
        (d) => stats.used(d.id).tokens,
      );
    case 'cost':
      return sortBy(group, (d) => ctx.priceOf?.(d) ?? Infinity);
    case 'latency': {
      // Unknown (never measured, or stale) first: that is how a new or recovered deployment is tried.
      const sorted = sortBy(shuffle(group, random), (d) => stats.latencyMs(d.id) ?? -1);
      if (random() < LATENCY_EXPLORATION) {
        const i = 1 + Math.floor(random() * (sorted.length - 1));
        [sorted[0], sorted[i]] = [sorted[i], sorted[0]];
      }
      return sorted;
    }
  }
}

/**
 * Each member's share: `weight` when any member sets one, else `rpm`, else `tpm` (as LiteLLM's
 * simple-shuffle), else equal. A member without the figure the others set counts as their average.
 */
export function shares(group: Deployment[]): number[] {
  for (const key of ['weight', 'rpm', 'tpm'] as const) {
    const given = group.map((d) => d[key]).filter((v): v is number => v !== undefined);
    if (given.length === 0) continue;
    const mean = given.reduce((a, b) => a + b, 0) / given.length;
    return group.map((d) => d[key] ?? mean);
  }
  return group.map(() => 1);
}

/** Weighted random order without replacement: the first member is picked with P = share / total. */
function weightedOrder(group: Deployment[], w: number[], random: () => number): Deployment[] {
  const left = group.map((d, i) => ({ d, w: w[i] }));
  const out: Deployment[] = [];
  while (left.length > 0) {
    const total = left.reduce((a, x) => a + x.w, 0);
    let r = random() * total;
    let i = 0;
    while (i < left.length - 1 && r >= left[i].w) r -= left[i++].w;
    out.push(left.splice(i, 1)[0].d);
  }
  return out;
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Stable sort by the keys in turn, ascending. */
function sortBy<T>(xs: T[], ...keys: Array<(x: T) => number>): T[] {
  const keyed = xs.map((x, i) => ({ x, i, k: keys.map((f) => f(x)) }));
  keyed.sort((a, b) => {
    for (let j = 0; j < a.k.length; j++) if (a.k[j] !== b.k[j]) return a.k[j] - b.k[j];
    return a.i - b.i;
  });
  return keyed.map((e) => e.x);
}
