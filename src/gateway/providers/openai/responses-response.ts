/**
 * Responses API answers → canonical: the Response object's output items as content blocks, its
 * status as a stop reason, and its usage (whose `input_tokens` include cached tokens) split the
 * canonical way.
 */
import type {
  CanonicalEvent,
  CanonicalResponse,
  ContentBlock,
  StopReason,
  ToolUseBlock,
  Usage,
} from '../../canonical.js';

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Responses usage → canonical usage (`inputTokens` without cache reads and writes). */
export function usageFromResponses(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const details = isObject(raw.input_tokens_details) ? raw.input_tokens_details : {};
  const cached = num(details.cached_tokens);
  const written = num(details.cache_write_tokens);
  const reasoning = isObject(raw.output_tokens_details)
    ? num(raw.output_tokens_details.reasoning_tokens)
    : undefined;
  const usage: Usage = {
    inputTokens: Math.max(0, (num(raw.input_tokens) ?? 0) - (cached ?? 0) - (written ?? 0)),
    outputTokens: num(raw.output_tokens) ?? 0,
  };
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (written !== undefined && written > 0) usage.cacheWriteTokens = written;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

/** The canonical stop reason of a finished Response. */
export function stopReasonFromResponse(resp: Json, sawToolCall: boolean): StopReason {
  if (resp.status === 'incomplete') {
    const reason = isObject(resp.incomplete_details) ? resp.incomplete_details.reason : undefined;
    return reason === 'content_filter' ? 'content_filter' : 'max_tokens';
  }
  return sawToolCall ? 'tool_use' : 'end_turn';
}

/** A function or custom tool call item → a canonical tool_use block (input not yet filled for streams). */
export function toolUseFromItem(item: Json): ToolUseBlock {
  const custom = item.type === 'custom_tool_call';
  const block: ToolUseBlock = {
    type: 'tool_use',
    id: typeof item.call_id === 'string' ? item.call_id : String(item.id ?? ''),
    name: typeof item.name === 'string' ? item.name : '',
    input: custom ? str(item.input) : parseArguments(str(item.arguments)),
    kind: custom ? 'custom' : 'function',
  };
  if (typeof item.namespace === 'string' && item.namespace.length > 0) block.namespace = item.namespace;
  return block;
}

export function parseArguments(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The text of a reasoning item: its summary parts (or raw reasoning text) joined. */
export function reasoningText(item: Json): string {
  for (const list of [item.summary, item.content]) {
    if (!Array.isArray(list)) continue;
    const texts = list.filter(isObject).map((p) => str(p.text));
    if (texts.some((t) => t.length > 0)) return texts.join('\n\n');
  }
  return '';
}

/** Output items → content blocks; items only OpenAI's hosted tools produce are skipped. */
export function blocksFromOutput(output: unknown): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (!Array.isArray(output)) return blocks;
  for (const item of output) {
    if (!isObject(item)) continue;
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isObject(part)) continue;
        if (part.type === 'output_text') blocks.push({ type: 'text', text: str(part.text) });
        else if (part.type === 'refusal') blocks.push({ type: 'text', text: str(part.refusal) });
      }
    } else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      blocks.push(toolUseFromItem(item));
    } else if (item.type === 'reasoning') {
      const b: ContentBlock = { type: 'thinking', text: reasoningText(item) };
      if (typeof item.encrypted_content === 'string') b.signature = item.encrypted_content;
      if (b.text.length > 0 || b.signature !== undefined) blocks.push(b);
    }
  }
  return blocks;
}

export function parseResponsesResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw new Error('response is not a JSON object');
  if (body.object !== undefined && body.object !== 'response')
    throw new Error(`unexpected object ${String(body.object)}`);
  const content = blocksFromOutput(body.output);
  const refusal = Array.isArray(body.output) && body.output.some(hasRefusal);
  const stopReason = refusal
    ? 'refusal'
    : stopReasonFromResponse(
        body,
        content.some((b) => b.type === 'tool_use'),
      );
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    stopReason,
  };
  const usage = usageFromResponses(body.usage);
  if (usage) res.usage = usage;
  return res;
}

function hasRefusal(item: unknown): boolean {
  return (
    isObject(item) &&
    item.type === 'message' &&
    Array.isArray(item.content) &&
    item.content.some((p) => isObject(p) && p.type === 'refusal')
  );
}

function statusForCode(code: unknown): number | undefined {
  if (code === 'rate_limit_exceeded') return 429;
  if (code === 'context_length_exceeded') return 400;
  return undefined;
}

/** `response.failed` → a canonical error (status 429 for rate limits, so the router can tell). */
export function errorFromFailed(resp: unknown): CanonicalEvent {
  const err = isObject(resp) && isObject(resp.error) ? resp.error : {};
  const message =
    typeof err.message === 'string' && err.message.length > 0 ? err.message : 'upstream response failed';
  const ev: CanonicalEvent = { type: 'error', message };
  if (typeof err.code === 'string') ev.errorType = err.code;
  const status = statusForCode(err.code);
  if (status !== undefined) ev.status = status;
  return ev;
}

/** An `error` stream event (flat, or with a nested `error` object) → a canonical error. */
export function errorFromEvent(data: Json): CanonicalEvent {
  const src = isObject(data.error) ? data.error : data;
  const message =
    typeof src.message === 'string' && src.message.length > 0 ? src.message : 'upstream stream error';
  const ev: CanonicalEvent = { type: 'error', message };
  const code =
    typeof src.code === 'string'
      ? src.code
      : typeof src.type === 'string' && src.type !== 'error'
        ? src.type
        : undefined;
  if (code !== undefined) ev.errorType = code;
  const status = statusForCode(code);
  if (status !== undefined) ev.status = status;
  return ev;
}
