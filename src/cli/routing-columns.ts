import type { RoutingFigures } from '../gateway/router/figures.js';

/** The routing fields `models --json` and `status --json` carry for each deployment. */
export type RoutingJson = Pick<
  RoutingFigures,
  'group' | 'weight' | 'strategy' | 'share' | 'in_flight' | 'ewma_ttft_ms' | 'headroom'
>;

/**
 * The aliases whose rows carry routing fields in `--json`: those with a load-sharing group. An alias
 * without one is its ordered chain, and its rows keep exactly the documented fields.
 */
export function groupedAliases(rows: Array<{ alias: string; group_size?: number }>): Set<string> {
  return new Set(rows.filter((r) => (r.group_size ?? 1) > 1).map((r) => r.alias));
}

export function routingJson(f: RoutingJson): RoutingJson {
  return {
    group: f.group,
    weight: f.weight,
    strategy: f.strategy,
    share: f.share,
    in_flight: f.in_flight,
    ewma_ttft_ms: f.ewma_ttft_ms,
    headroom: f.headroom,
  };
}

/** The figure the deployment's strategy picks by, for the table's LIVE column. */
export function liveFigure(f: Partial<RoutingJson>): string {
  switch (f.strategy) {
    case 'weighted':
      return f.share == null ? '' : `share ${Math.round(f.share * 100)}%`;
    case 'least_busy':
      return `in-flight ${f.in_flight ?? 0}`;
    case 'latency':
      return `ttft ${f.ewma_ttft_ms == null ? '-' : `${f.ewma_ttft_ms}ms`}`;
    case 'usage':
      return `headroom ${Math.round((f.headroom ?? 1) * 100)}%`;
    default:
      return '';
  }
}

export const ROUTING_HEADERS = ['GROUP', 'WEIGHT', 'STRATEGY', 'LIVE'];

export function routingCells(f: Partial<RoutingJson>): string[] {
  return [String(f.group ?? ''), f.weight == null ? '' : String(f.weight), f.strategy ?? '', liveFigure(f)];
}
