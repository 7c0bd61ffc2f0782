import { clientName, type CanonicalRequest, type ReasoningEffort } from '../../canonical.js';
import type { Deployment } from '../../../config/types.js';
import { strictParamSink, type ParamSink } from '../../params/sink.js';
import { applyAnthropicParams } from './request-params.js';
import { answerTool, ANSWER_TOOL, hasNativeStructuredOutput, nativeFormat } from './structured-output.js';
import type { AnthropicMessageParam } from './wire.js';
import { createToolNames } from './tool-names.js';
import { encodeConversation } from './request-messages.js';
import { encodeToolChoice, encodeTools } from './request-tools.js';
import { toolRoundHasThinking } from './thinking-round.js';

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
 * Canonical → Anthropic Messages body, with `model` the deployment's. Parameters Anthropic cannot
 * take are reported to `params` (`request-params.ts`); structured output is native or a forced
 * answer tool (`structured-output.ts`); the rules for system messages, turn merging and thinking
 * history are in `request-messages.ts`.
 */
export function buildAnthropicRequest(
  req: CanonicalRequest,
  d: Deployment,
  params: ParamSink = strictParamSink(d),
): Record<string, unknown> {
  const names = createToolNames(req.tools);
  const { system, messages } = encodeConversation(req.system, req.messages, names);
  const body: Record<string, unknown> = { model: d.model };
  const format = req.responseFormat;
  const viaTool = format !== undefined && !hasNativeStructuredOutput(d.model);

  let maxTokens = clamp(req.maxTokens ?? DEFAULT_MAX_TOKENS, d.maxTokens);
  const forced = viaTool || req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool';
  if (forced && req.reasoning !== undefined && wantsBudget(req)) {
    params.unsupported(
      clientName(req, 'reasoning'),
      viaTool
        ? `${d.model} carries structured output as a forced tool call, which Anthropic does not allow with thinking`
        : 'Anthropic does not allow thinking with a forced tool choice',
    );
  }
  // Thinking a request cannot have (see thinkingBudget) is left off for it, and the response says so.
  const leftOff = (): void => params.leftOut(clientName(req, 'reasoning'));
  const budget = forced ? undefined : thinkingBudget(req, messages, maxTokens, d.maxTokens, leftOff);
  if (budget !== undefined) maxTokens = Math.max(maxTokens, budget.maxTokens);
  body.max_tokens = maxTokens;
  if (system.length > 0) body.system = system;
  body.messages = messages;

  if (budget !== undefined) body.thinking = { type: 'enabled', budget_tokens: budget.budget };
  applyAnthropicParams(req, body, budget !== undefined, params);

  const tools = req.tools !== undefined && req.tools.length > 0 ? encodeTools(req.tools, names) : [];
  let choice = tools.length > 0 ? encodeToolChoice(req.toolChoice, req.parallelToolCalls, names) : undefined;
  if (format !== undefined && !viaTool) body.output_config = { format: nativeFormat(format) };
  if (format !== undefined && viaTool) {
    tools.push(answerTool(format));
    // With tools of its own the model may still call them; the answer tool is how it finishes.
    if (choice?.type !== 'tool') {
      const noParallel = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
      choice =
        tools.length > 1
          ? { type: 'any', ...noParallel }
          : { type: 'tool', name: ANSWER_TOOL, ...noParallel };
    }
  }
  if (tools.length > 0) body.tools = tools;
  if (choice !== undefined) body.tool_choice = choice;
  if (req.stream) body.stream = true;
  return body;
}

function wantsBudget(req: CanonicalRequest): boolean {
  const r = req.reasoning;
  return (
    r !== undefined && ((r.budgetTokens ?? 0) > 0 || (r.effort !== undefined && r.effort in EFFORT_BUDGET))
  );
}

function clamp(n: number, cap: number | undefined): number {
  return cap !== undefined && n > cap ? cap : n;
}

/**
 * The thinking budget to ask for, or undefined for none. Thinking is requested only when the client
 * gave a budget or an effort that maps (the caller rules out a forced tool choice, which Anthropic
 * refuses with thinking), and never when the ongoing tool round's assistant turn has no thinking
 * block to lead with (history from another provider; Anthropic refuses that too) or the
 * deployment's max_tokens cap leaves no room for the minimum budget: those are `leftOff` (listed in
 * x-agentbox-dropped). max_tokens must exceed the budget: it grows by the budget when the
 * deployment allows, else the budget shrinks to fit.
 */
function thinkingBudget(
  req: CanonicalRequest,
  messages: AnthropicMessageParam[],
  maxTokens: number,
  cap: number | undefined,
  leftOff: () => void,
): { budget: number; maxTokens: number } | undefined {
  const r = req.reasoning;
  if (r === undefined) return undefined;
  let budget = r.budgetTokens ?? (r.effort !== undefined ? EFFORT_BUDGET[r.effort] : undefined);
  if (budget === undefined || budget <= 0) return undefined;
  if (!toolRoundHasThinking(messages)) {
    leftOff();
    return undefined;
  }
  budget = Math.max(budget, MIN_BUDGET);
  let max = maxTokens;
  if (budget >= max) max = clamp(budget + max, cap);
  if (budget >= max) budget = max - 1;
  if (budget < MIN_BUDGET) {
    leftOff();
    return undefined;
  }
  return { budget, maxTokens: max };
}
