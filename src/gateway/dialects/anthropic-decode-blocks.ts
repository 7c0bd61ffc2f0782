import type { ContentBlock, ImageBlock, TextBlock } from '../canonical.js';
import { GatewayError } from '../errors.js';

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function invalid(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param === undefined ? {} : { param });
}

/** Told of each block with no canonical form, at its path, with what it is. */
export type LostBlock = (at: string, what: string) => void;

/**
 * One Messages content block → canonical, or undefined for blocks with no canonical form (server
 * tool calls and results, PDFs, files by id…), each told to `lost`. `cache_control` and
 * `citations` are dropped (hints). Plain-text documents become text.
 */
export function decodeBlock(b: unknown, at: string, lost?: LostBlock): ContentBlock | undefined {
  if (!isObject(b) || typeof b.type !== 'string')
    throw invalid(`${at} must be an object with a string "type"`, at);
  switch (b.type) {
    case 'text':
      if (typeof b.text !== 'string') throw invalid(`${at}.text must be a string`, `${at}.text`);
      return { type: 'text', text: b.text };
    case 'image':
      return decodeImage(b, at, lost);
    case 'tool_use':
      if (typeof b.id !== 'string' || typeof b.name !== 'string') {
        throw invalid(`${at} (tool_use) needs a string "id" and "name"`, at);
      }
      return { type: 'tool_use', id: b.id, name: b.name, input: b.input ?? {} };
    case 'tool_result':
      return decodeToolResult(b, at, lost);
    case 'thinking': {
      const out: ContentBlock = { type: 'thinking', text: typeof b.thinking === 'string' ? b.thinking : '' };
      if (typeof b.signature === 'string' && b.signature.length > 0) out.signature = b.signature;
      return out;
    }
    case 'redacted_thinking':
      return { type: 'thinking', text: '', redacted: typeof b.data === 'string' ? b.data : '' };
    case 'document': {
      const s = b.source;
      if (isObject(s) && s.type === 'text' && typeof s.data === 'string')
        return { type: 'text', text: s.data };
      lost?.(at, `a document from a ${isObject(s) ? String(s.type) : 'missing'} source`);
      return undefined;
    }
    default:
      lost?.(at, `a ${b.type} block`);
      return undefined;
  }
}

function decodeImage(b: Json, at: string, lost?: LostBlock): ImageBlock | undefined {
  const s = b.source;
  if (!isObject(s)) throw invalid(`${at}.source must be an object`, `${at}.source`);
  if (s.type === 'base64') {
    if (typeof s.data !== 'string' || typeof s.media_type !== 'string') {
      throw invalid(`${at}.source needs string "media_type" and "data"`, `${at}.source`);
    }
    return { type: 'image', source: { kind: 'base64', mediaType: s.media_type, data: s.data } };
  }
  if (s.type === 'url') {
    if (typeof s.url !== 'string') throw invalid(`${at}.source.url must be a string`, `${at}.source.url`);
    return { type: 'image', source: { kind: 'url', url: s.url } };
  }
  // file ids and other sources only the Anthropic API can resolve
  lost?.(at, `an image from a ${String(s.type)} source`);
  return undefined;
}

function decodeToolResult(b: Json, at: string, lost?: LostBlock): ContentBlock {
  if (typeof b.tool_use_id !== 'string')
    throw invalid(`${at}.tool_use_id must be a string`, `${at}.tool_use_id`);
  let content: string | Array<TextBlock | ImageBlock>;
  if (b.content === undefined || b.content === null) content = '';
  else if (typeof b.content === 'string') content = b.content;
  else if (Array.isArray(b.content)) {
    content = [];
    b.content.forEach((p, i) => {
      const c = decodeBlock(p, `${at}.content[${i}]`, lost);
      if (c === undefined) return;
      if (c.type === 'text' || c.type === 'image') (content as Array<TextBlock | ImageBlock>).push(c);
      else lost?.(`${at}.content[${i}]`, `a ${c.type} block inside a tool result`);
    });
  } else throw invalid(`${at}.content must be a string or an array of blocks`, `${at}.content`);
  const out: ContentBlock = { type: 'tool_result', toolUseId: b.tool_use_id, content };
  if (b.is_error === true) out.isError = true;
  return out;
}

/** String or block-array content → canonical blocks. */
export function decodeContent(content: unknown, at: string, lost?: LostBlock): ContentBlock[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalid(`${at} must be a string or an array of content blocks`, at);
  const out: ContentBlock[] = [];
  for (let i = 0; i < content.length; i++) {
    const c = decodeBlock(content[i], `${at}[${i}]`, lost);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** `system` as a string or text blocks → text pieces (cache_control dropped). */
export function decodeSystem(system: unknown): TextBlock[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return system.length > 0 ? [{ type: 'text', text: system }] : [];
  if (!Array.isArray(system)) throw invalid('system must be a string or an array of text blocks', 'system');
  const out: TextBlock[] = [];
  system.forEach((b, i) => {
    if (!isObject(b) || typeof b.text !== 'string')
      throw invalid(`system[${i}] must be a text block`, `system[${i}]`);
    if (b.text.length > 0) out.push({ type: 'text', text: b.text });
  });
  return out;
}
