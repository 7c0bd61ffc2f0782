import type { CanonicalRequest, ReasoningEffort } from '../../canonical.js';
import type { Deployment } from '../../../config/types.js';
import type { AnthropicMessageParam } from './wire.js';
import { createToolNames } from './tool-names.js';
import { encodeConversation } from './request-messages.js';
import { encodeToolChoice, encodeTools } from './request-tools.js';

/** Anthropic requires max_tokens; this is what a request that gives none gets. */
export const DEFAULT_MAX_TOKENS = 4096;
const MIN_BUDGET = 1024;

const EFFORT_BUDGET: Partial<Record<ReasoningEffort, number>> = {
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 32768,
};

/**
 * Canonical → Anthropic Messages body, with `model` the deployment's. Fields without an Anthropic
 * meaning (`openaiExtra`, `includeUsage`) are dropped; the rules for system messages, turn merging
 * and thinking history are in `request-messages.ts`.
 */
export function buildAnthropicRequest(req: CanonicalRequest, d: Deployment): Record<string, unknown> {
  const names = createToolNames(req.tools);
  const { system, messages } = encodeConversation(req.system, req.messages, names);
  const body: Record<string, unknown> = { model: d.model };

  let maxTokens = clamp(req.maxTokens ?? DEFAULT_MAX_TOKENS, d.maxTokens);
  const budget = thinkingBudget(req, messages, maxTokens, d.maxTokens);
  if (budget !== undefined) maxTokens = Math.max(maxTokens, budget.maxTokens);
  body.max_tokens = maxTokens;
  if (system.length > 0) body.system = system;
  body.messages = messages;

  if (budget !== undefined) {
    body.thinking = { type: 'enabled', budget_tokens: budget.budget };
    // Extended thinking only accepts the default temperature and a top_p of at least 0.95.
    if (req.temperature === 1) body.temperature = 1;
    if (req.topP !== undefined && req.topP >= 0.95) body.top_p = req.topP;
  } else {
    if (req.temperature !== undefined) body.temperature = Math.min(Math.max(req.temperature, 0), 1);
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.topK !== undefined) body.top_k = req.topK;
  }

  const stop = req.stop?.filter((s) => typeof s === 'string' && s.trim().length > 0);
  if (stop !== undefined && stop.length > 0) body.stop_sequences = stop;

  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = encodeTools(req.tools, names);
    const choice = encodeToolChoice(req.toolChoice, req.parallelToolCalls, names);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  return body;
}

function clamp(n: number, cap: number | undefined): number {
  return cap !== undefined && n > cap ? cap : n;
}

/**
 * The thinking budget to ask for, or undefined for none. Thinking is requested only when the client
 * gave a budget or an effort that maps; never with a forced tool choice (Anthropic refuses the
 * pair), and never when the ongoing tool round's assistant turn has no thinking block to lead with
 * (history from another provider; Anthropic refuses that too). max_tokens must exceed the budget:
 * it grows by the budget when the deployment allows, else the budget shrinks to fit.
 */
function thinkingBudget(
  req: CanonicalRequest,
  messages: AnthropicMessageParam[],
  maxTokens: number,
  cap: number | undefined,
): { budget: number; maxTokens: number } | undefined {
  const r = req.reasoning;
  if (r === undefined) return undefined;
  let budget = r.budgetTokens ?? (r.effort !== undefined ? EFFORT_BUDGET[r.effort] : undefined);
  if (budget === undefined || budget <= 0) return undefined;
  if (req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool') return undefined;
  if (!toolRoundHasThinking(messages)) return undefined;
  budget = Math.max(budget, MIN_BUDGET);
  let max = maxTokens;
  if (budget >= max) max = clamp(budget + max, cap);
  if (budget >= max) budget = max - 1;
  if (budget < MIN_BUDGET) return undefined;
  return { budget, maxTokens: max };
}

function toolRoundHasThinking(messages: AnthropicMessageParam[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'assistant') continue;
    if (!m.content.some((b) => b.type === 'tool_use')) return true;
    const first = m.content[0].type;
    return first === 'thinking' || first === 'redacted_thinking';
  }
  return true;
}
