import type { StopReason, Usage } from '../../canonical.js';

/**
 * Chat usage → canonical usage. Chat's `prompt_tokens` includes cached (and cache-written)
 * tokens; canonical `inputTokens` excludes them. DeepSeek's `prompt_cache_hit_tokens` counts too.
 */
export function usageFromChat(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const prompt = num(u.prompt_tokens) ?? 0;
  const ptd = obj(u.prompt_tokens_details);
  const cached = num(ptd?.cached_tokens) ?? num(u.prompt_cache_hit_tokens);
  const written = num(ptd?.cache_write_tokens);
  const reasoning = num(obj(u.completion_tokens_details)?.reasoning_tokens);
  const usage: Usage = {
    inputTokens: Math.max(0, prompt - (cached ?? 0) - (written ?? 0)),
    outputTokens: num(u.completion_tokens) ?? 0,
  };
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (written !== undefined && written > 0) usage.cacheWriteTokens = written;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function stopReasonFromChat(finish: string): StopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'end_turn';
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}
