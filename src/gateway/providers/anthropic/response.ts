import type { CanonicalResponse, ContentBlock, ToolUseBlock } from '../../canonical.js';
import { GatewayError } from '../../errors.js';
import type { AnthropicMessage, AnthropicResponseBlock } from './wire.js';
import { stopReasonFromWire, usageFromWire } from './mapping.js';
import { createToolNames, type ToolContext, type ToolNames } from './tool-names.js';

/**
 * Anthropic Messages JSON → canonical response. With the request (`req`), tool names are mapped
 * back to their namespace and custom tools get their raw input back; without it names are kept.
 * Server-tool blocks (web search results and the like) have no canonical form and are skipped.
 */
export function parseAnthropicResponse(body: unknown, req?: ToolContext): CanonicalResponse {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('upstream_error', 'Anthropic returned a response that is not a JSON object');
  }
  const m = body as AnthropicMessage;
  const names = createToolNames(req?.tools);
  const content: ContentBlock[] = [];
  if (Array.isArray(m.content)) {
    for (const b of m.content) {
      const c = parseBlock(b, names);
      if (c !== undefined) content.push(c);
    }
  }
  const res: CanonicalResponse = {
    id: typeof m.id === 'string' ? m.id : '',
    model: typeof m.model === 'string' ? m.model : '',
    content,
    stopReason: stopReasonFromWire(m.stop_reason),
    stopSequence: typeof m.stop_sequence === 'string' ? m.stop_sequence : null,
  };
  if (m.usage !== undefined && m.usage !== null) res.usage = usageFromWire(m.usage);
  return res;
}

function parseBlock(b: AnthropicResponseBlock, names: ToolNames): ContentBlock | undefined {
  if (b === null || typeof b !== 'object') return undefined;
  switch (b.type) {
    case 'text':
      return { type: 'text', text: typeof b.text === 'string' ? b.text : '' };
    case 'tool_use':
      return toolUseFromWire(String(b.id ?? ''), String(b.name ?? ''), b.input, names);
    case 'thinking': {
      const out: ContentBlock = { type: 'thinking', text: typeof b.thinking === 'string' ? b.thinking : '' };
      if (typeof b.signature === 'string' && b.signature.length > 0) out.signature = b.signature;
      return out;
    }
    case 'redacted_thinking':
      return { type: 'thinking', text: '', redacted: typeof b.data === 'string' ? b.data : '' };
    default:
      return undefined;
  }
}

/** A tool_use as the client declared it: namespace split off, custom input unwrapped. */
export function toolUseFromWire(
  id: string,
  wireName: string,
  input: unknown,
  names: ToolNames,
): ToolUseBlock {
  const ref = names.lookup(wireName);
  const out: ToolUseBlock = { type: 'tool_use', id, name: ref.name, input: input ?? {} };
  if (ref.namespace !== undefined) out.namespace = ref.namespace;
  if (ref.kind === 'custom') {
    out.kind = 'custom';
    out.input = unwrapCustomInput(input);
  }
  return out;
}

/** `{input: "raw"}` → `"raw"`; anything else the model produced is passed on as JSON text. */
export function unwrapCustomInput(input: unknown): string {
  if (
    input !== null &&
    typeof input === 'object' &&
    typeof (input as { input?: unknown }).input === 'string'
  ) {
    return (input as { input: string }).input;
  }
  if (typeof input === 'string') return input;
  return input === undefined ? '' : JSON.stringify(input);
}
