import type {
  CanonicalEvent,
  CanonicalMessage,
  CanonicalRequest,
  CanonicalResponse,
  ContentBlock,
} from '../canonical.js';
import { mark, markPrefix, readMark, valueFor } from './mark.js';

/**
 * Origin marks on translated requests and answers, in the canonical model every codec shares.
 *
 * Going out, each opaque value (a thinking block's signature or redacted data, a tool call's Gemini
 * signature) is marked with the family of the deployment that produced it. Coming back, a marked
 * value is unmarked for a deployment of the same family and stripped for any other: a thinking
 * block keeps its text without the signature (each codec then sends or leaves out unsigned
 * thinking as its upstream accepts), a redacted block (nothing but the opaque data) is left out,
 * a tool call loses its signature.
 */
export function requestForFamily(req: CanonicalRequest, family: string): CanonicalRequest {
  let messages: CanonicalMessage[] | undefined;
  req.messages.forEach((m, i) => {
    const content = contentFor(m.content, family);
    if (content === m.content) return;
    messages ??= req.messages.slice();
    messages[i] = { ...m, content };
  });
  return messages ? { ...req, messages } : req;
}

function contentFor(content: ContentBlock[], family: string): ContentBlock[] {
  let out: ContentBlock[] | undefined;
  for (let i = 0; i < content.length; i++) {
    const b = content[i];
    const next = blockFor(b, family);
    if (next === b && out === undefined) continue;
    out ??= content.slice(0, i);
    if (next !== null) out.push(next);
  }
  return out ?? content;
}

/** The block as a deployment of `family` may receive it; null: leave it out. */
function blockFor(b: ContentBlock, family: string): ContentBlock | null {
  if (b.type === 'thinking') {
    if (b.redacted !== undefined && readMark(b.redacted)) {
      const data = valueFor(b.redacted, family);
      return data === undefined ? null : { ...b, redacted: data };
    }
    if (b.signature !== undefined && readMark(b.signature)) {
      const signature = valueFor(b.signature, family);
      if (signature !== undefined) return { ...b, signature };
      const { signature: _foreign, ...rest } = b;
      return rest;
    }
    return b;
  }
  if (b.type === 'tool_use' && b.signature !== undefined && readMark(b.signature)) {
    const signature = valueFor(b.signature, family);
    if (signature !== undefined) return { ...b, signature };
    const { signature: _foreign, ...rest } = b;
    return rest;
  }
  return b;
}

/**
 * Marks the opaque values of a translated answer with the family that produced it (in place). A
 * thinking block that came without a signature (reasoning text from a Chat upstream) gets the bare
 * mark, an empty value of that family: a Responses client then holds a reasoning item the gateway
 * made (its `encrypted_content` says so), which is left out for OpenAI rather than sent as an id
 * OpenAI never issued.
 */
export function markResponse(res: CanonicalResponse, family: string): CanonicalResponse {
  for (const b of res.content) {
    if (b.type === 'thinking') {
      if (b.redacted) b.redacted = mark(b.redacted, family);
      else b.signature = b.signature ? mark(b.signature, family) : markPrefix(family);
    } else if (b.type === 'tool_use' && b.signature) b.signature = mark(b.signature, family);
  }
  return res;
}

/**
 * A translated stream's events with their opaque values marked (see markResponse). A block's
 * signature may come in several deltas: only the first carries the mark, so the concatenation is
 * the marked value. A thinking block still unsigned when it closes (or the stream stops) gets the
 * bare mark as its signature.
 */
export function createEventMarker(family: string): (ev: CanonicalEvent) => CanonicalEvent[] {
  const signed = new Set<number>();
  const thinking = new Set<number>();
  const sign = (index: number): CanonicalEvent => {
    signed.add(index);
    return { type: 'signature_delta', index, signature: markPrefix(family) };
  };
  return (ev) => {
    switch (ev.type) {
      case 'signature_delta':
        if (ev.signature.length === 0 || signed.has(ev.index)) return [ev];
        signed.add(ev.index);
        return [{ ...ev, signature: mark(ev.signature, family) }];
      case 'thinking_delta':
        if (!signed.has(ev.index)) thinking.add(ev.index);
        return [ev];
      case 'block_stop':
        if (!thinking.delete(ev.index) || signed.has(ev.index)) return [ev];
        return [sign(ev.index), ev];
      case 'stop':
      case 'end': {
        const out = [...thinking].filter((i) => !signed.has(i)).map(sign);
        thinking.clear();
        return [...out, ev];
      }
      case 'block_start': {
        const blk = ev.block;
        if (blk.type === 'thinking' && blk.redacted) {
          signed.add(ev.index);
          return [{ ...ev, block: { ...blk, redacted: mark(blk.redacted, family) } }];
        }
        if (blk.type === 'thinking') thinking.add(ev.index);
        if (blk.type === 'tool_use' && blk.signature)
          return [{ ...ev, block: { ...blk, signature: mark(blk.signature, family) } }];
        return [ev];
      }
      default:
        return [ev];
    }
  };
}
