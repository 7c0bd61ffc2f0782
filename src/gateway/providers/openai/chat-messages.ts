import type {
  CanonicalRequest,
  ContentBlock,
  ImageBlock,
  ToolResultBlock,
  ToolUseBlock,
} from '../../canonical.js';
import { flatToolName, wrapCustomInput } from './tool-names.js';

/** A Chat Completions request message, as sent upstream. */
export type ChatMessage = Record<string, unknown>;
type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/**
 * Canonical messages → Chat `messages`. The top-level system prompt becomes the first system
 * message; system messages inside the conversation stay where they are. Tool results become
 * `tool` messages right after the assistant turn that called them, and thinking is dropped.
 */
export function buildChatMessages(req: CanonicalRequest): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (req.system.length > 0) {
    const text = req.system.map((b) => b.text).join('\n\n');
    if (text.length > 0) out.push({ role: 'system', content: text });
  }
  for (const m of req.messages) {
    if (m.role === 'system') out.push({ role: 'system', content: joinText(m.content, '\n\n') });
    else if (m.role === 'assistant') out.push(assistantMessage(m.content));
    else userMessages(m.content, out);
  }
  return out;
}

function assistantMessage(content: ContentBlock[]): ChatMessage {
  let text = '';
  const calls: unknown[] = [];
  for (const b of content) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'tool_use') calls.push(toolCall(b));
  }
  const msg: ChatMessage = {
    role: 'assistant',
    content: text.length > 0 || calls.length === 0 ? text : null,
  };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

function toolCall(b: ToolUseBlock): unknown {
  let args: string;
  if (b.kind === 'custom') args = wrapCustomInput(b.input);
  else if (typeof b.input === 'string') args = b.input;
  else args = JSON.stringify(b.input ?? {});
  return {
    id: b.id,
    type: 'function',
    function: { name: flatToolName(b.name, b.namespace), arguments: args },
  };
}

/** A user turn: its tool results first (as `tool` messages), then one user message with the rest. */
function userMessages(content: ContentBlock[], out: ChatMessage[]): void {
  const parts: ChatPart[] = [];
  const resultImages: ChatPart[] = [];
  for (const b of content) {
    if (b.type === 'tool_result') {
      out.push({ role: 'tool', tool_call_id: b.toolUseId, content: toolResultText(b) });
      if (typeof b.content !== 'string') {
        for (const c of b.content) if (c.type === 'image') resultImages.push(imagePart(c));
      }
    } else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'image') parts.push(imagePart(b));
  }
  const all = resultImages.length > 0 ? [...resultImages, ...parts] : parts;
  if (all.length === 0) return;
  const only = all[0];
  out.push({ role: 'user', content: all.length === 1 && only.type === 'text' ? only.text : all });
}

function toolResultText(b: ToolResultBlock): string {
  return typeof b.content === 'string' ? b.content : joinText(b.content, '\n');
}

function joinText(content: ContentBlock[], sep: string): string {
  const texts: string[] = [];
  for (const b of content) if (b.type === 'text') texts.push(b.text);
  return texts.join(sep);
}

export function imagePart(b: ImageBlock): ChatPart {
  const url = b.source.kind === 'url' ? b.source.url : `data:${b.source.mediaType};base64,${b.source.data}`;
  return { type: 'image_url', image_url: { url } };
}
