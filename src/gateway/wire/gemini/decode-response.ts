import type {
  CanonicalEvent,
  CanonicalRequest,
  CanonicalResponse,
  ContentBlock,
  StopReason,
} from '../../canonical.js';
import { GatewayError } from '../../errors.js';
import type { SseEvent } from '../../upstream/sse.js';
import { stopReasonFromGemini, usageFromGemini } from './mapping.js';
import { customInputFromArgs, geminiToolLookup, newGeminiCallId, type GeminiToolRef } from './tool-names.js';
import type { GeminiPart, GeminiResponse } from './types.js';

/**
 * A Gemini answer → canonical. Only candidate 0 is read. Thought parts become thinking blocks,
 * a `thoughtSignature` stays with the part it came on (a tool call keeps its own, and lends it to
 * an unsigned thinking block right before it, for clients that carry signatures only there), function calls
 * get an id when Gemini sent none, and a prompt blocked before any candidate is a content-filter stop.
 */
export function decodeGeminiResponse(body: unknown, req?: CanonicalRequest): CanonicalResponse {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new GatewayError('upstream_error', 'Gemini returned a response that is not a JSON object');
  const r = body as GeminiResponse;
  const lookup = geminiToolLookup(req?.tools);
  const cand = r.candidates?.[0];
  const content: ContentBlock[] = [];
  for (const p of cand?.content?.parts ?? []) {
    const b = blockOf(p, lookup);
    if (!b) continue;
    const last = content[content.length - 1];
    if (b.type === 'text' && last?.type === 'text') last.text += b.text;
    else content.push(b);
    // Clients whose tool calls carry no signature (Anthropic's) keep it on the thinking before.
    if (b.type === 'tool_use' && b.signature && last?.type === 'thinking' && !last.signature)
      last.signature = b.signature;
  }
  const hasTools = content.some((b) => b.type === 'tool_use');
  const blocked = !cand && r.promptFeedback?.blockReason !== undefined;
  const out: CanonicalResponse = {
    id: r.responseId ?? '',
    model: r.modelVersion ?? '',
    content,
    stopReason: blocked ? 'content_filter' : stopReasonFromGemini(cand?.finishReason, hasTools),
  };
  if (r.usageMetadata) out.usage = usageFromGemini(r.usageMetadata);
  return out;
}

function blockOf(p: GeminiPart, lookup: (w: string) => GeminiToolRef): ContentBlock | undefined {
  if (!p || typeof p !== 'object') return undefined;
  if (p.functionCall) {
    const ref = lookup(p.functionCall.name);
    const b: ContentBlock = {
      type: 'tool_use',
      id: p.functionCall.id || newGeminiCallId(),
      name: ref.name,
      input: ref.kind === 'custom' ? customInputFromArgs(p.functionCall.args) : (p.functionCall.args ?? {}),
    };
    if (ref.kind === 'custom') b.kind = 'custom';
    if (ref.namespace) b.namespace = ref.namespace;
    if (p.thoughtSignature) b.signature = p.thoughtSignature;
    return b;
  }
  if (typeof p.text === 'string') {
    if (p.thought === true || (p.thoughtSignature && p.text === '')) {
      const t: ContentBlock = { type: 'thinking', text: p.text };
      if (p.thoughtSignature) t.signature = p.thoughtSignature;
      return t;
    }
    // Gemini's last chunk often carries an empty text part beside the finish reason.
    return p.text === '' ? undefined : { type: 'text', text: p.text };
  }
  if (p.inlineData) {
    return {
      type: 'image',
      source: { kind: 'base64', mediaType: p.inlineData.mimeType, data: p.inlineData.data },
    };
  }
  return undefined;
}

/**
 * A fresh parser for one `streamGenerateContent?alt=sse` stream. Every event is a whole
 * GenerateContentResponse holding the next parts; a function call arrives complete in one part.
 * Gemini has no end marker: the chunk with a finish reason ends the answer (a stream that stops
 * before one is a cut stream), and an `{"error": …}` event is an upstream error.
 */
export function createGeminiStreamParser(req?: CanonicalRequest): (ev: SseEvent) => CanonicalEvent[] {
  const lookup = geminiToolLookup(req?.tools);
  let started = false;
  let next = 0;
  let open: { index: number; kind: 'text' | 'thinking'; signed?: boolean } | undefined;
  let sawTools = false;
  let stopped = false;

  const close = (out: CanonicalEvent[]): void => {
    if (open) out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  };

  return (ev) => {
    const out: CanonicalEvent[] = [];
    if (ev.data.trim() === '') return out;
    let chunk: GeminiResponse & { error?: { code?: number; message?: string; status?: string } };
    try {
      chunk = JSON.parse(ev.data);
    } catch {
      return [{ type: 'error', message: 'malformed JSON in the Gemini stream', status: 502 }];
    }
    if (chunk.error) {
      const e = chunk.error;
      return [
        {
          type: 'error',
          message: e.message ?? 'Gemini reported an error in the stream',
          errorType: e.status,
          status: typeof e.code === 'number' ? e.code : 502,
        },
      ];
    }
    if (stopped) {
      // Anything after the finish reason can only update the usage.
      if (chunk.usageMetadata) out.push({ type: 'usage', usage: usageFromGemini(chunk.usageMetadata) });
      return out;
    }
    if (!started) {
      started = true;
      out.push({ type: 'start', id: chunk.responseId ?? '', model: chunk.modelVersion ?? '' });
    }
    const cand = chunk.candidates?.[0];
    for (const p of cand?.content?.parts ?? []) {
      const b = blockOf(p, lookup);
      if (!b) continue;
      if (b.type === 'text' || b.type === 'thinking') {
        if (open?.kind !== b.type) {
          close(out);
          open = { index: next++, kind: b.type };
          out.push({ type: 'block_start', index: open.index, block: { type: b.type } });
        }
        if (b.text.length > 0)
          out.push(
            b.type === 'text'
              ? { type: 'text_delta', index: open.index, text: b.text }
              : { type: 'thinking_delta', index: open.index, text: b.text },
          );
        if (b.type === 'thinking' && b.signature) {
          out.push({ type: 'signature_delta', index: open.index, signature: b.signature });
          open.signed = true;
        }
      } else if (b.type === 'tool_use') {
        if (b.signature && open?.kind === 'thinking' && !open.signed)
          out.push({ type: 'signature_delta', index: open.index, signature: b.signature });
        close(out);
        sawTools = true;
        const index = next++;
        const block: Extract<CanonicalEvent, { type: 'block_start' }>['block'] = {
          type: 'tool_use',
          id: b.id,
          name: b.name,
        };
        if (b.kind) block.kind = b.kind;
        if (b.namespace) block.namespace = b.namespace;
        if (b.signature) block.signature = b.signature;
        out.push({ type: 'block_start', index, block });
        const partial = typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {});
        out.push({ type: 'tool_input_delta', index, partial });
        out.push({ type: 'block_stop', index });
      }
    }
    if (chunk.usageMetadata) out.push({ type: 'usage', usage: usageFromGemini(chunk.usageMetadata) });
    const blocked = !cand && chunk.promptFeedback?.blockReason !== undefined;
    const reason: StopReason | null = blocked
      ? 'content_filter'
      : stopReasonFromGemini(cand?.finishReason, sawTools);
    if (reason !== null) {
      close(out);
      stopped = true;
      out.push({ type: 'stop', stopReason: reason });
    }
    return out;
  };
}
