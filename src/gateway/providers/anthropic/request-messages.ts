import type {
  CanonicalMessage,
  ContentBlock,
  ImageBlock,
  TextBlock,
  ToolResultBlock,
  ToolUseBlock,
} from '../../canonical.js';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
} from './wire.js';
import { wireToolId, type ToolNames } from './tool-names.js';

export interface EncodedConversation {
  system: AnthropicTextBlock[];
  messages: AnthropicMessageParam[];
}

/**
 * Canonical conversation → Anthropic `system` + `messages`.
 *
 * - System messages before the first user/assistant turn join the top-level `system`. Later ones
 *   (Claude Code's mid-conversation system messages, a Chat client's late system message) become
 *   `<system-reminder>` text in a user turn at their position: Messages has no system role, and the
 *   reminder keeps the place in the conversation where it was said.
 * - Empty text is dropped (Anthropic rejects it); messages left empty are dropped.
 * - Consecutive same-role turns are merged (Anthropic requires alternation) and a user turn lists
 *   its tool_result blocks first (Anthropic requires them before any text).
 * - Thinking without an Anthropic signature cannot be replayed to Anthropic and is dropped.
 */
export function encodeConversation(
  system: TextBlock[],
  messages: CanonicalMessage[],
  names: ToolNames,
): EncodedConversation {
  const sys: AnthropicTextBlock[] = [];
  for (const p of system) if (p.text.length > 0) sys.push({ type: 'text', text: p.text });
  const out: AnthropicMessageParam[] = [];
  let seenTurn = false;
  for (const m of messages) {
    if (m.role === 'system') {
      const text = systemText(m.content);
      if (text.length === 0) continue;
      if (!seenTurn) sys.push({ type: 'text', text });
      else push(out, 'user', [{ type: 'text', text: `<system-reminder>\n${text}\n</system-reminder>` }]);
      continue;
    }
    seenTurn = true;
    const blocks: AnthropicContentBlock[] = [];
    for (const b of m.content) {
      const w = encodeBlock(b, m.role, names);
      if (w !== undefined) blocks.push(w);
    }
    if (blocks.length > 0) push(out, m.role, blocks);
  }
  for (const m of out) if (m.role === 'user') toolResultsFirst(m.content);
  trimFinalAssistant(out);
  return { system: sys, messages: out };
}

function push(
  out: AnthropicMessageParam[],
  role: 'user' | 'assistant',
  blocks: AnthropicContentBlock[],
): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.role === role) last.content.push(...blocks);
  else out.push({ role, content: blocks });
}

function systemText(content: ContentBlock[]): string {
  let text = '';
  for (const b of content)
    if (b.type === 'text' && b.text.length > 0) text += text ? `\n\n${b.text}` : b.text;
  return text;
}

function encodeBlock(
  b: ContentBlock,
  role: 'user' | 'assistant',
  names: ToolNames,
): AnthropicContentBlock | undefined {
  switch (b.type) {
    case 'text':
      return b.text.length > 0 ? { type: 'text', text: b.text } : undefined;
    case 'image':
      return encodeImage(b);
    case 'tool_use':
      return {
        type: 'tool_use',
        id: wireToolId(b.id),
        name: names.wire(b.name, b.namespace),
        input: toolInput(b),
      };
    case 'tool_result':
      return encodeToolResult(b);
    case 'thinking':
      if (role !== 'assistant') return undefined;
      if (b.redacted !== undefined) return { type: 'redacted_thinking', data: b.redacted };
      if (b.signature && !isForeignSignature(b.signature)) {
        return { type: 'thinking', thinking: b.text, signature: b.signature };
      }
      return undefined;
  }
}

/**
 * Canonical thinking signatures are opaque and may come from OpenAI (Responses `encrypted_content`,
 * a Fernet token: `gAAAAA…`). Anthropic rejects a signature it did not make, so those are dropped.
 */
export function isForeignSignature(signature: string): boolean {
  return signature.startsWith('gAAAAA');
}

/** Function tools take a JSON object; custom tools carry their raw text as `{input}`. */
export function toolInput(b: ToolUseBlock): Record<string, unknown> {
  if (b.kind === 'custom')
    return { input: typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? '') };
  let v = b.input;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return {};
    }
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const DATA_URL = /^data:([^;,]+);base64,/;

function encodeImage(b: ImageBlock): AnthropicImageBlock {
  const s = b.source;
  if (s.kind === 'base64')
    return { type: 'image', source: { type: 'base64', media_type: s.mediaType, data: s.data } };
  const m = DATA_URL.exec(s.url);
  if (m !== null) {
    return { type: 'image', source: { type: 'base64', media_type: m[1], data: s.url.slice(m[0].length) } };
  }
  return { type: 'image', source: { type: 'url', url: s.url } };
}

function encodeToolResult(b: ToolResultBlock): AnthropicToolResultBlock {
  const out: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: wireToolId(b.toolUseId) };
  if (typeof b.content === 'string') {
    out.content = b.content;
  } else {
    const parts: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
    for (const p of b.content) {
      if (p.type === 'image') parts.push(encodeImage(p));
      else if (p.text.length > 0) parts.push({ type: 'text', text: p.text });
    }
    if (parts.length > 0) out.content = parts;
  }
  if (b.isError) out.is_error = true;
  return out;
}

/** Stable partition: tool_result blocks first, the rest after, each in its own order. */
function toolResultsFirst(content: AnthropicContentBlock[]): void {
  let sawOther = false;
  let needed = false;
  for (const b of content) {
    if (b.type !== 'tool_result') sawOther = true;
    else if (sawOther) needed = true;
  }
  if (!needed) return;
  const results = content.filter((b) => b.type === 'tool_result');
  const rest = content.filter((b) => b.type !== 'tool_result');
  content.splice(0, content.length, ...results, ...rest);
}

/** A final assistant turn (a prefill) may not end with whitespace. */
function trimFinalAssistant(out: AnthropicMessageParam[]): void {
  const last = out[out.length - 1];
  if (last === undefined || last.role !== 'assistant') return;
  const b = last.content[last.content.length - 1];
  if (b?.type !== 'text') return;
  const t = b.text.trimEnd();
  if (t.length > 0) b.text = t;
  else last.content.pop();
  if (last.content.length === 0) out.pop();
}
