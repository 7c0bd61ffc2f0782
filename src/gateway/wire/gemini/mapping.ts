import type { ReasoningEffort, StopReason, Usage } from '../../canonical.js';
import type { GeminiUsageMetadata } from './types.js';

/**
 * Gemini ↔ canonical tables: finish reasons, usage, thinking. Gemini reports `STOP` for a turn
 * that ends in function calls; the tool-use stop reason is inferred from the parts.
 */

const BLOCKED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'LANGUAGE',
]);

export function stopReasonFromGemini(reason: string | undefined, hasToolCalls: boolean): StopReason | null {
  if (reason === undefined || reason === '' || reason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (hasToolCalls && (reason === 'STOP' || reason === 'UNEXPECTED_TOOL_CALL')) return 'tool_use';
  if (reason === 'STOP') return 'end_turn';
  if (reason === 'MAX_TOKENS') return 'max_tokens';
  if (BLOCKED.has(reason)) return 'content_filter';
  // OTHER, MALFORMED_FUNCTION_CALL, …: the turn ended, for a reason Gemini does not spell out.
  return 'end_turn';
}

export function stopReasonToGemini(reason: StopReason | null | undefined): string {
  switch (reason) {
    case 'max_tokens':
      return 'MAX_TOKENS';
    case 'content_filter':
    case 'refusal':
      return 'SAFETY';
    default:
      return 'STOP';
  }
}

/**
 * Gemini counts cached tokens inside `promptTokenCount` and thoughts outside
 * `candidatesTokenCount`; canonical input excludes cache reads and output includes reasoning.
 */
export function usageFromGemini(u: GeminiUsageMetadata): Usage {
  const prompt = num(u.promptTokenCount) + num(u.toolUsePromptTokenCount);
  const cached = num(u.cachedContentTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  const usage: Usage = {
    inputTokens: Math.max(0, prompt - cached),
    outputTokens: num(u.candidatesTokenCount) + thoughts,
  };
  if (cached > 0) usage.cacheReadTokens = cached;
  if (thoughts > 0) usage.reasoningTokens = thoughts;
  return usage;
}

export function usageToGemini(u: Usage): GeminiUsageMetadata {
  const cached = u.cacheReadTokens ?? 0;
  const prompt = u.inputTokens + cached + (u.cacheWriteTokens ?? 0);
  const thoughts = u.reasoningTokens ?? 0;
  const candidates = Math.max(0, u.outputTokens - thoughts);
  const out: GeminiUsageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + u.outputTokens,
  };
  if (cached > 0) out.cachedContentTokenCount = cached;
  if (thoughts > 0) out.thoughtsTokenCount = thoughts;
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

const EFFORT_BUDGET: Record<ReasoningEffort, number> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

/** A canonical effort as a Gemini thinking budget (tokens). */
export function effortToBudget(effort: ReasoningEffort): number {
  return EFFORT_BUDGET[effort];
}

/** Gemini 3 `thinkingLevel` ↔ canonical effort. */
export function levelToEffort(level: string): ReasoningEffort | undefined {
  const l = level.toLowerCase();
  if (l === 'minimal' || l === 'low' || l === 'medium' || l === 'high') return l;
  return undefined;
}
