import { groupsOf, tierOf } from '../../config/groups.js';
import type { LitellmConfig, ModelAlias } from '../../config/types.js';
import type { StrategyName } from '../../config/strategy-names.js';
import type { LiveStats } from './live-stats.js';
import { shares, strategyFor } from './strategy.js';

/** How a deployment takes part in its alias's routing, and the live figure its strategy picks by. */
export interface RoutingFigures {
  /** Its tier: entries of equal group share load. */
  group: number;
  /** Members of its group (1: it is tried alone at its turn). */
  group_size: number;
  weight: number | null;
  strategy: StrategyName;
  /** Under weighted: the chance it is tried first within its group. */
  share: number | null;
  in_flight: number;
  /** Smoothed time to first token, ms (null: not measured recently). */
  ewma_ttft_ms: number | null;
  /** Share of its rpm/tpm left this minute (1 when it sets neither). */
  headroom: number;
}

/** The figures of every deployment of an alias, in chain order. */
export function aliasFigures(config: LitellmConfig, a: ModelAlias, live: LiveStats): RoutingFigures[] {
  const strategy = strategyFor(config, a.name);
  const share = new Map<string, number>();
  const size = new Map<number, number>();
  for (const g of groupsOf(a.deployments)) {
    size.set(tierOf(g[0]), g.length);
    const w = shares(g);
    const total = w.reduce((x, y) => x + y, 0);
    g.forEach((d, i) => share.set(`${d.index}`, w[i] / total));
  }
  return a.deployments.map((d) => {
    const latency = live.latencyMs(d.id);
    const groupSize = size.get(tierOf(d)) ?? 1;
    return {
      group: tierOf(d),
      group_size: groupSize,
      weight: d.weight ?? null,
      strategy,
      share: strategy === 'weighted' && groupSize > 1 ? round(share.get(`${d.index}`) ?? 1, 4) : null,
      in_flight: live.inFlight(d.id),
      ewma_ttft_ms: latency === undefined ? null : Math.round(latency),
      headroom: round(live.headroom(d), 4),
    };
  });
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
