import type { CanonicalResponse, ContentBlock, StopReason, Usage } from '../canonical.js';
import { ANTHROPIC_TYPE, type GatewayError } from '../errors.js';
import type { EncodeContext } from './types.js';

type Json = Record<string, unknown>;

/**
 * Canonical response → Anthropic Messages JSON, echoing the model the client asked for. Tool inputs
 * are objects (strings are parsed; a custom tool's raw text becomes `{input}`); namespaced tools
 * use their bare name (a Messages client declared them without namespaces).
 */
export function encodeAnthropicResponse(res: CanonicalResponse, ctx: EncodeContext): Json {
  const content: Json[] = [];
  for (const b of res.content) {
    const w = encodeOutputBlock(b);
    if (w !== undefined) content.push(w);
  }
  const hasToolUse = content.some((b) => b.type === 'tool_use');
  return {
    id: messageId(res.id, ctx),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReasonToWire(res.stopReason, hasToolUse),
    stop_sequence: res.stopSequence ?? null,
    usage: usageToWire(res.usage ?? { inputTokens: 0, outputTokens: 0 }),
  };
}

function encodeOutputBlock(b: ContentBlock): Json | undefined {
  switch (b.type) {
    case 'text':
      return { type: 'text', text: b.text };
    case 'tool_use':
      return { type: 'tool_use', id: b.id, name: b.name, input: toolInputObject(b.input, b.kind) };
    case 'thinking':
      if (b.redacted !== undefined) return { type: 'redacted_thinking', data: b.redacted };
      return { type: 'thinking', thinking: b.text, signature: b.signature ?? '' };
    default:
      return undefined;
  }
}

/** `msg_…`: the upstream's id when it already is one, else one made from the request id. */
export function messageId(id: string | undefined, ctx: EncodeContext): string {
  if (id && id.startsWith('msg_')) return id;
  return `msg_${(id || ctx.requestId).replace(/[^a-zA-Z0-9_-]/g, '')}`;
}

/** A tool_use input as Anthropic clients expect it: always a JSON object. */
export function toolInputObject(input: unknown, kind?: string): Json {
  if (kind === 'custom') return { input: typeof input === 'string' ? input : JSON.stringify(input ?? '') };
  let v = input;
  if (typeof v === 'string') {
    if (v.trim().length === 0) return {};
    try {
      v = JSON.parse(v);
    } catch {
      return { input: input as string };
    }
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : { input: v };
}

/** Canonical → Anthropic stop_reason. A missing reason is end_turn, or tool_use when tools were called. */
export function stopReasonToWire(reason: StopReason | null, hasToolUse: boolean): string {
  switch (reason) {
    case null:
      return hasToolUse ? 'tool_use' : 'end_turn';
    case 'content_filter':
      return 'refusal';
    default:
      return reason;
  }
}

/** Canonical usage → Anthropic's (input excludes cache reads and writes on both sides). */
export function usageToWire(u: Partial<Usage>): Json {
  const out: Json = { input_tokens: u.inputTokens ?? 0, output_tokens: u.outputTokens ?? 0 };
  if (u.cacheReadTokens !== undefined) out.cache_read_input_tokens = u.cacheReadTokens;
  if (u.cacheWriteTokens !== undefined) out.cache_creation_input_tokens = u.cacheWriteTokens;
  return out;
}

const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

/** Anthropic's error body. An upstream's own Anthropic error type is kept; anything else is api_error. */
export function errorPayload(type: string | undefined, message: string): Json {
  const t = type !== undefined && ANTHROPIC_ERROR_TYPES.has(type) ? type : 'api_error';
  return { type: 'error', error: { type: t, message } };
}

/** A gateway error as Anthropic's error body; an upstream 529 keeps its overloaded_error type. */
export function gatewayErrorPayload(err: GatewayError): Json {
  const type =
    err.code === 'upstream_error' && err.status === 529 ? 'overloaded_error' : ANTHROPIC_TYPE[err.code];
  const message = err.code === 'context_window_exceeded' ? promptTooLong(err.message) : err.message;
  return errorPayload(type, message);
}

/**
 * A context overflow in Anthropic's words. Claude Code recognises one by "prompt is too long" and
 * reads "N tokens > M" after it to compact the conversation, so another provider's overflow
 * (OpenAI: "maximum context length is M tokens … resulted in N tokens") is said that way, with
 * the upstream's own message kept after it.
 */
export function promptTooLong(message: string): string {
  if (/prompt is too long/i.test(message)) return message;
  const limit = /maximum context length is (\d+)/i.exec(message)?.[1];
  const actual = /(?:resulted in|requested|prompt has|prompt contains|input has) (\d+) tokens/i.exec(
    message,
  )?.[1];
  const counts = limit && actual ? `: ${actual} tokens > ${limit} maximum` : '';
  return `prompt is too long${counts}. ${message}`;
}
