import { isJson, mapList, mapNested, type OpaqueFields } from '../reasoning-origin/opaque-fields.js';
import { SKIP_SIGNATURE } from '../wire/gemini/encode-request.js';

type Json = Record<string, unknown>;

/**
 * Where each wire format keeps opaque reasoning (see reasoning-origin/), for passthrough bodies.
 * Messages: a thinking block's `signature` and a redacted_thinking block's `data` (a foreign one:
 * the block is left out, as Anthropic refuses a thinking block it did not sign). Responses: a
 * reasoning item's `encrypted_content` (a foreign one: the item is left out). Gemini: a part's
 * `thoughtSignature` (a foreign one: a thought part is left out, a function call gets the value
 * Google documents for calls without one, any other part loses the key).
 */
export const messagesOpaque: OpaqueFields = {
  mapRequest: (body, fix) => withList(body, 'messages', (l) => mapNested(l, 'content', fix)),
  responseEntries: (body) => entries(body.content),
  slot(entry) {
    if (entry.type === 'thinking') return { key: 'signature', foreign: 'entry' };
    if (entry.type === 'redacted_thinking') return { key: 'data', foreign: 'entry' };
    return undefined;
  },
  streamKeys: ['"signature":"', '"type":"redacted_thinking","data":"'],
};

export const responsesOpaque: OpaqueFields = {
  mapRequest: (body, fix) => withList(body, 'input', (l) => mapList(l, fix)),
  responseEntries: (body) => entries(body.output),
  slot: (entry) => (entry.type === 'reasoning' ? { key: 'encrypted_content', foreign: 'entry' } : undefined),
  streamKeys: ['"encrypted_content":"'],
};

export const geminiOpaque: OpaqueFields = {
  mapRequest: (body, fix) => withList(body, 'contents', (l) => mapNested(l, 'parts', fix)),
  responseEntries(body) {
    const out: Json[] = [];
    for (const c of entries(body.candidates)) if (isJson(c.content)) out.push(...entries(c.content.parts));
    return out;
  },
  slot(entry) {
    if (typeof entry.thoughtSignature !== 'string') return undefined;
    if (entry.functionCall !== undefined)
      return { key: 'thoughtSignature', foreign: { replace: SKIP_SIGNATURE } };
    return { key: 'thoughtSignature', foreign: entry.thought === true ? 'entry' : 'key' };
  },
  streamKeys: ['"thoughtSignature":"'],
};

function withList(body: Json, key: string, map: (l: unknown[]) => unknown[]): Json {
  const list = body[key];
  if (!Array.isArray(list)) return body;
  const next = map(list);
  return next === list ? body : { ...body, [key]: next };
}

function entries(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isJson) : [];
}
