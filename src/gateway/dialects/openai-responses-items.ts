/**
 * One Responses input item → the role and canonical blocks it contributes. The caller merges
 * consecutive pieces of the same role into one canonical message.
 */
import type { CanonicalMessage, ContentBlock, ImageBlock, TextBlock, ToolResultBlock } from '../canonical.js';
import { GatewayError } from '../errors.js';

type Json = Record<string, unknown>;

export interface ItemPiece {
  role: CanonicalMessage['role'];
  content: ContentBlock[];
}

/** Item types that only mean something to OpenAI's own hosted tools or stored state: skipped. */
const SKIPPED = new Set([
  'web_search_call',
  'file_search_call',
  'tool_search_call',
  'tool_search_output',
  'computer_call',
  'computer_call_output',
  'image_generation_call',
  'code_interpreter_call',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'compaction',
  'compaction_summary',
  'additional_tools',
]);

export function invalid(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, { param: param ?? null });
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An input content part (input_text, output_text, input_image, refusal) → canonical block. */
export function decodePart(part: unknown, where: string): TextBlock | ImageBlock | null {
  if (typeof part === 'string') return { type: 'text', text: part };
  if (!isObject(part)) throw invalid(`${where} must be an object`, where);
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
    case 'summary_text':
      return { type: 'text', text: typeof part.text === 'string' ? part.text : '' };
    case 'refusal':
      return { type: 'text', text: typeof part.refusal === 'string' ? part.refusal : '' };
    case 'input_image':
      return decodeImage(part, where);
    case 'input_file':
      throw invalid(`${where}: input_file parts are not supported by the gateway`, where);
    default:
      throw invalid(`${where}: unsupported content part type ${JSON.stringify(part.type)}`, where);
  }
}

function decodeImage(part: Json, where: string): ImageBlock {
  const url = part.image_url;
  if (typeof url !== 'string' || url.length === 0) {
    if (part.file_id != null) {
      throw invalid(`${where}: images by file_id are not supported by the gateway; send image_url`, where);
    }
    throw invalid(`${where}: input_image needs image_url`, where);
  }
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { type: 'image', source: { kind: 'base64', mediaType: m[1], data: m[2] } };
  return { type: 'image', source: { kind: 'url', url } };
}

/** Message content: a string or a list of parts. */
export function decodeContent(content: unknown, where: string): ContentBlock[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalid(`${where} must be a string or an array of parts`, where);
  const out: ContentBlock[] = [];
  content.forEach((p, j) => {
    const b = decodePart(p, `${where}[${j}]`);
    if (b) out.push(b);
  });
  return out;
}

export function decodeItem(item: Json, i: number): ItemPiece | null {
  const where = `input[${i}]`;
  const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
  switch (type) {
    case 'message':
      return decodeMessage(item, where);
    case 'function_call':
      return { role: 'assistant', content: [toolUse(item, where, 'function')] };
    case 'custom_tool_call':
      return { role: 'assistant', content: [toolUse(item, where, 'custom')] };
    case 'function_call_output':
      return { role: 'user', content: [toolResult(item, where, 'function')] };
    case 'custom_tool_call_output':
      return { role: 'user', content: [toolResult(item, where, 'custom')] };
    case 'reasoning':
      return decodeReasoning(item);
    case 'item_reference':
      throw invalid(
        `${where}: item_reference needs stored responses, which the gateway does not keep`,
        where,
      );
    default:
      if (typeof type === 'string' && SKIPPED.has(type)) return null;
      throw invalid(`${where}: unsupported input item type ${JSON.stringify(type)}`, `${where}.type`);
  }
}

function decodeMessage(item: Json, where: string): ItemPiece {
  const role = item.role;
  const content = decodeContent(item.content, `${where}.content`);
  switch (role) {
    case 'user':
    case 'assistant':
      return { role, content };
    case 'system':
    case 'developer':
      return { role: 'system', content };
    default:
      throw invalid(`${where}.role must be user, assistant, system or developer`, `${where}.role`);
  }
}

function callId(item: Json, where: string): string {
  const id = item.call_id;
  if (typeof id !== 'string' || id.length === 0)
    throw invalid(`${where} needs a call_id`, `${where}.call_id`);
  return id;
}

function toolUse(item: Json, where: string, kind: 'function' | 'custom'): ContentBlock {
  if (typeof item.name !== 'string') throw invalid(`${where} needs a name`, `${where}.name`);
  let input: unknown;
  if (kind === 'custom') {
    input = typeof item.input === 'string' ? item.input : '';
  } else {
    const args = typeof item.arguments === 'string' ? item.arguments : '';
    input = parseArguments(args);
  }
  const block: ContentBlock = { type: 'tool_use', id: callId(item, where), name: item.name, input, kind };
  if (typeof item.namespace === 'string' && item.namespace.length > 0) block.namespace = item.namespace;
  return block;
}

/** Function arguments are JSON text; text that does not parse is kept as the raw string. */
function parseArguments(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

function toolResult(item: Json, where: string, kind: 'function' | 'custom'): ToolResultBlock {
  const output = item.output;
  let content: ToolResultBlock['content'];
  if (typeof output === 'string') {
    content = output;
  } else if (Array.isArray(output)) {
    const parts: Array<TextBlock | ImageBlock> = [];
    output.forEach((p, j) => {
      const b = decodePart(p, `${where}.output[${j}]`);
      if (b) parts.push(b);
    });
    content = parts;
  } else {
    throw invalid(`${where}.output must be a string or an array of parts`, `${where}.output`);
  }
  return { type: 'tool_result', toolUseId: callId(item, where), content, kind };
}

/** A reasoning item → a thinking block: summary (or raw reasoning) text, encrypted_content as signature. */
function decodeReasoning(item: Json): ItemPiece | null {
  const texts: string[] = [];
  for (const list of [item.summary, item.content]) {
    if (!Array.isArray(list)) continue;
    for (const p of list)
      if (isObject(p) && typeof p.text === 'string' && p.text.length > 0) texts.push(p.text);
    if (texts.length > 0) break;
  }
  const signature = typeof item.encrypted_content === 'string' ? item.encrypted_content : undefined;
  if (texts.length === 0 && signature === undefined) return null;
  const block: ContentBlock = { type: 'thinking', text: texts.join('\n\n') };
  if (signature !== undefined) block.signature = signature;
  return { role: 'assistant', content: [block] };
}
