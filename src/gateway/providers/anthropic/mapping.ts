import type { StopReason, Usage } from '../../canonical.js';
import type { AnthropicUsage } from './wire.js';

/** Anthropic `stop_reason` → canonical. Reasons without a canonical twin map to their nearest meaning. */
export function stopReasonFromWire(reason: unknown): StopReason | null {
  switch (reason) {
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'refusal':
      return reason;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'pause_turn':
      return 'end_turn';
    case null:
    case undefined:
      return null;
    default:
      return 'end_turn';
  }
}

/** The counters an Anthropic usage object reports, leaving out those it does not carry. */
export function partialUsageFromWire(u: AnthropicUsage | undefined | null): Partial<Usage> {
  const out: Partial<Usage> = {};
  if (!u || typeof u !== 'object') return out;
  if (typeof u.input_tokens === 'number') out.inputTokens = u.input_tokens;
  if (typeof u.output_tokens === 'number') out.outputTokens = u.output_tokens;
  if (typeof u.cache_read_input_tokens === 'number') out.cacheReadTokens = u.cache_read_input_tokens;
  if (typeof u.cache_creation_input_tokens === 'number') out.cacheWriteTokens = u.cache_creation_input_tokens;
  return out;
}

/** A complete canonical usage (both required counters present, 0 when missing). */
export function usageFromWire(u: AnthropicUsage | undefined | null): Usage {
  return { inputTokens: 0, outputTokens: 0, ...partialUsageFromWire(u) };
}
