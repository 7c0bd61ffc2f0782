import type { Deployment } from '../../config/types.js';

/**
 * An alias's effective context window: the smallest one its chain declares, since any deployment
 * of the chain may end up serving a turn. Null when no deployment declares one.
 */
export function aliasContextWindow(chain: readonly Deployment[]): number | null {
  let min: number | null = null;
  for (const d of chain)
    if (d.contextWindow !== undefined && (min === null || d.contextWindow < min)) min = d.contextWindow;
  return min;
}
