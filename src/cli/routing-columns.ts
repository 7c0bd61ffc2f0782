import type { RoutingFigures } from '../gateway/router/figures.js';

/** The routing fields `models --json` and `status --json` carry for each deployment. */
export type RoutingJson = Pick<
  RoutingFigures,
  'group' | 'weight' | 'strategy' | 'share' | 'in_flight' | 'ewma_ttft_ms' | 'headroom'
>;

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
