import { formatPath } from './format-issues.js';
import type { RawLitellm } from './schema.js';
import { canonicalStrategy, type StrategyName } from './strategy-names.js';
import type { ConfigIssue, Deployment, ModelAlias, RouterSettings } from './types.js';

/** A chain entry's tier: its `order`, else its position. */
export const tierOf = (d: Deployment): number => d.order ?? d.index;

/** The chain cut into groups of equal tier, lowest tier first; inside a group, chain order. */
export function groupsOf(chain: Deployment[]): Deployment[][] {
  const byTier = new Map<number, Deployment[]>();
  for (const d of chain) {
    const t = tierOf(d);
    const g = byTier.get(t);
    if (g) g.push(d);
    else byTier.set(t, [d]);
  }
  return [...byTier.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/** `router.strategy` and `router.aliases.<alias>.strategy`, LiteLLM names mapped to ours. */
export function routerStrategies(
  raw: RawLitellm['router'],
): Pick<RouterSettings, 'strategy' | 'aliasStrategies'> {
  const out: Pick<RouterSettings, 'strategy' | 'aliasStrategies'> = {};
  if (raw.strategy) out.strategy = canonicalStrategy(raw.strategy);
  const per: Record<string, StrategyName> = {};
  for (const [alias, s] of Object.entries(raw.aliases ?? {}))
    if (s.strategy) per[alias] = canonicalStrategy(s.strategy);
  if (Object.keys(per).length) out.aliasStrategies = per;
  return out;
}

/**
 * Settings that would be accepted and do nothing, said out loud: a `weight` on an entry no other
 * entry shares a tier with (or under a strategy other than weighted), and a per-alias router
 * setting for an alias that does not exist.
 */
export function groupWarnings(models: ModelAlias[], router: RouterSettings): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  for (const a of models) {
    const strategy = router.aliasStrategies?.[a.name] ?? router.strategy ?? 'weighted';
    for (const g of groupsOf(a.deployments)) {
      for (const d of g) {
        if (d.weight === undefined) continue;
        const path = formatPath(['litellm', 'models', a.name, d.index, 'weight']);
        if (g.length === 1)
          warnings.push({
            path,
            message: `has no effect: no other entry of "${a.name}" shares its order ${tierOf(d)}; give the entries that share load the same order`,
          });
        else if (strategy !== 'weighted')
          warnings.push({
            path,
            message: `has no effect under strategy ${strategy} (only weighted uses it)`,
          });
      }
    }
  }
  const names = new Set(models.map((m) => m.name));
  for (const alias of Object.keys(router.aliasStrategies ?? {}))
    if (!names.has(alias))
      warnings.push({
        path: formatPath(['litellm', 'router', 'aliases', alias]),
        message: `no alias "${alias}"`,
      });
  return warnings;
}
