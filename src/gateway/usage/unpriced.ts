import { formatPath } from '../../config/format-issues.js';
import type { ConfigIssue, Deployment, LitellmConfig } from '../../config/types.js';
import { globMatch } from '../router/resolve.js';
import type { Pricer } from './pricing.js';

/**
 * Budgets that cannot be enforced: a deployment a budget covers whose input or output price is
 * unknown is settled at no cost, so the budget never sees what it spends. One issue per such chain
 * entry, naming the budgets and the price keys to set. Reported at load (the daemon's log and
 * `start`), by `config validate`, in `status` and by `doctor`.
 */
export function unpricedBudgetIssues(config: LitellmConfig, pricer: Pricer): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const global = hasLimit(config.budgets) ? ['litellm.budgets'] : [];
  for (const a of config.models) {
    const budgets = [...global];
    for (const [name, b] of Object.entries(config.budgets?.aliases ?? {}))
      if (hasLimit(b) && (name === a.name || globMatch(name, a.name)))
        budgets.push(formatPath(['litellm', 'budgets', 'aliases', name]));
    for (const k of Object.values(config.keys ?? {})) {
      if (!hasLimit(k.budget)) continue;
      const covers = !k.models || k.models.some((p) => globMatch(p, a.name) || globMatch(a.name, p));
      if (covers) budgets.push(formatPath(['litellm', 'keys', k.name, 'budget']));
    }
    if (budgets.length === 0) continue;
    for (const d of a.deployments) {
      const missing = missingPrices(d, pricer);
      if (missing.length === 0) continue;
      issues.push({
        path: formatPath(['litellm', 'models', a.name, d.index]),
        message:
          `${d.id} has no known price, so ${budgets.join(', ')} cannot be enforced for it; ` +
          `set ${missing.join(' and ')} on this entry (USD per token; 0 when it is free)`,
      });
    }
  }
  return issues;
}

function hasLimit(b: { usdPerDay?: number; usdPerMonth?: number } | undefined): boolean {
  return b?.usdPerDay !== undefined || b?.usdPerMonth !== undefined;
}

/** The price keys a deployment lacks (from the config or the bundled catalog). */
function missingPrices(d: Deployment, pricer: Pricer): string[] {
  const p = pricer.perToken(d);
  const out: string[] = [];
  if (d.inputCostPerToken === undefined && (p?.input ?? null) === null) out.push('input_cost_per_token');
  if (d.outputCostPerToken === undefined && (p?.output ?? null) === null) out.push('output_cost_per_token');
  return out;
}
