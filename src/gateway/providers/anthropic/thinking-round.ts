import type { ParamSink } from '../../params/sink.js';

type Json = Record<string, unknown>;

/**
 * Anthropic's rule with thinking enabled (a budget): the assistant turn of the ongoing tool round
 * (the last assistant turn, when it called tools) must lead with a thinking block. A conversation
 * whose last tool call came from another provider (a fallback) cannot meet it: its thinking was
 * never made. Adaptive thinking has no such rule (the model itself may have chosen not to think).
 */
export function toolRoundHasThinking(messages: unknown): boolean {
  if (!Array.isArray(messages)) return true;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== 'object' || m.role !== 'assistant') continue;
    if (!Array.isArray(m.content)) return true;
    const content = m.content as Array<{ type?: unknown } | null>;
    if (!content.some((b) => b?.type === 'tool_use')) return true;
    const first = content[0]?.type;
    return first === 'thinking' || first === 'redacted_thinking';
  }
  return true;
}

/**
 * A passed-through Messages body that enables thinking in a tool round that cannot lead with it:
 * Anthropic would refuse the request, so thinking is left off for this one request (with the
 * thinking-clearing context edits, which need it) and the response lists `thinking` in
 * `x-agentbox-dropped`. The next user turn starts a new round and thinks again. Mutates `body`.
 */
export function leaveOffUnledThinking(body: Json, params: ParamSink | undefined): void {
  const t = body.thinking as { type?: unknown } | undefined;
  if (!t || typeof t !== 'object' || t.type !== 'enabled') return;
  if (toolRoundHasThinking(body.messages)) return;
  delete body.thinking;
  params?.leftOut('thinking');
  const cm = body.context_management as { edits?: unknown } | undefined;
  if (!cm || typeof cm !== 'object' || !Array.isArray(cm.edits)) return;
  const edits = (cm.edits as Array<{ type?: unknown } | null>).filter(
    (e) => !(typeof e?.type === 'string' && e.type.startsWith('clear_thinking_')),
  );
  if (edits.length === cm.edits.length) return;
  if (edits.length === 0) delete body.context_management;
  else body.context_management = { ...cm, edits };
}
