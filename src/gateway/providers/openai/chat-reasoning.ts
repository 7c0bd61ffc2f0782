import { clientName, type CanonicalRequest, type ReasoningEffort } from '../../canonical.js';
import type { Deployment, ProviderType } from '../../../config/types.js';
import type { ParamSink } from '../../params/sink.js';

/**
 * A thinking budget (Messages `thinking.budget_tokens`) as a Chat `reasoning_effort`: the inverse
 * of the Anthropic provider's effort → budget table (low 1024, medium 4096, high 16384).
 */
export function effortForBudget(budget: number): ReasoningEffort {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

/** Models known to reject `reasoning_effort`. Unknown (newer) models get it. */
function isOpenAINonReasoningModel(model: string): boolean {
  return /^(gpt-3\.5|gpt-4|chatgpt)/i.test(model) || /-chat(-|$)/i.test(model);
}

/**
 * Whether the deployment takes `reasoning_effort`: OpenAI's reasoning models do; other servers
 * say so with the provider's `reasoning_effort: true|false`. Undefined: not known either way.
 */
function acceptsEffort(d: Deployment, type: ProviderType): boolean | undefined {
  if (type === 'openai') return !isOpenAINonReasoningModel(d.model);
  return d.provider.reasoningEffort;
}

/**
 * The request's reasoning as Chat `reasoning_effort`. A deployment known not to take it reports it
 * to `params` (refused, or dropped under drop_params); a compatible server that has not said either
 * way is sent none, as before the setting existed.
 */
export function applyChatReasoning(
  req: CanonicalRequest,
  body: Record<string, unknown>,
  d: Deployment,
  type: ProviderType,
  params: ParamSink,
): void {
  const r = req.reasoning;
  if (r === undefined) return;
  const effort = r.effort ?? (r.budgetTokens !== undefined ? effortForBudget(r.budgetTokens) : undefined);
  if (effort === undefined) return;
  const accepts = acceptsEffort(d, type);
  if (accepts === true) body.reasoning_effort = effort;
  else if (accepts === false && !r.implicit)
    params.unsupported(clientName(req, 'reasoning'), `${d.model} takes no reasoning_effort`);
}
