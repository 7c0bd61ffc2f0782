/**
 * The router's strategies for picking inside a group of equal-order chain entries, and the names
 * LiteLLM's `routing_strategy` uses for the same ideas (accepted as aliases, mapped once here).
 */
export const STRATEGIES = ['ordered', 'weighted', 'least_busy', 'latency', 'usage', 'cost'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const LITELLM_STRATEGY_NAMES = {
  'simple-shuffle': 'weighted',
  'least-busy': 'least_busy',
  'latency-based-routing': 'latency',
  'usage-based-routing': 'usage',
  'usage-based-routing-v2': 'usage',
  'cost-based-routing': 'cost',
} as const satisfies Record<string, StrategyName>;

export const STRATEGY_INPUT_NAMES = [
  ...STRATEGIES,
  ...(Object.keys(LITELLM_STRATEGY_NAMES) as Array<keyof typeof LITELLM_STRATEGY_NAMES>),
] as const;

export function canonicalStrategy(name: string): StrategyName {
  const mapped = (LITELLM_STRATEGY_NAMES as Record<string, StrategyName>)[name];
  if (mapped) return mapped;
  if ((STRATEGIES as readonly string[]).includes(name)) return name as StrategyName;
  throw new Error(`unknown routing strategy "${name}"; use one of ${STRATEGY_INPUT_NAMES.join(', ')}`);
}
