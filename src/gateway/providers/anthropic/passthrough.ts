import type { Deployment } from '../../../config/types.js';
import type { ParamSink } from '../../params/sink.js';
import { DEFAULT_MAX_TOKENS } from './request.js';
import { leaveOffUnledThinking } from './thinking-round.js';

/**
 * Same-dialect passthrough: the client's own Messages body with the deployment's model and
 * max_tokens clamp. Everything else (cache_control, thinking, betas' fields) stays as sent, with
 * repairs for what Anthropic would refuse: a body without max_tokens (the Messages route refuses
 * one before it gets here; other callers may not) gets the default, an enabled thinking budget the clamp pushed to or past max_tokens is lowered below it,
 * and thinking blocks with an empty signature (an answer another provider gave earlier in the
 * conversation) are left out of the history. Sets the top-level fields of `body` and returns it;
 * nested objects of the client's body are replaced, never changed in place (the sender splices
 * unchanged values as the client's bytes).
 */
export function rewriteAnthropicPassthrough(
  body: Record<string, unknown>,
  d: Deployment,
  params?: ParamSink,
): Record<string, unknown> {
  body.model = d.model;
  const messages = withoutUnsignedThinking(body.messages);
  if (messages !== body.messages) body.messages = messages;
  leaveOffUnledThinking(body, params);
  const cap = d.maxTokens;
  const max = body.max_tokens;
  if (typeof max !== 'number') {
    body.max_tokens = cap !== undefined ? Math.min(cap, DEFAULT_MAX_TOKENS) : DEFAULT_MAX_TOKENS;
  } else if (cap !== undefined && max > cap) {
    body.max_tokens = cap;
  } else {
    return body;
  }
  const t = body.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  const clamped = body.max_tokens as number;
  if (t && t.type === 'enabled' && typeof t.budget_tokens === 'number' && t.budget_tokens >= clamped) {
    if (clamped - 1 >= 1024) body.thinking = { ...t, budget_tokens: clamped - 1 };
  }
  return body;
}

/** The messages without unsigned thinking blocks: the same array when there are none. */
function withoutUnsignedThinking(messages: unknown): unknown {
  if (!Array.isArray(messages)) return messages;
  let out: unknown[] | undefined;
  messages.forEach((m: { role?: unknown; content?: unknown } | null, i) => {
    if (m === null || typeof m !== 'object' || m.role !== 'assistant' || !Array.isArray(m.content)) return;
    const content = m.content as Array<{ type?: unknown; signature?: unknown }>;
    if (!content.some((b) => b?.type === 'thinking' && !b.signature)) return;
    out ??= [...messages];
    out[i] = { ...m, content: content.filter((b) => !(b?.type === 'thinking' && !b.signature)) };
  });
  return out ?? messages;
}
