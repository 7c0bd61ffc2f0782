import type { CanonicalEvent, CanonicalResponse, ContentBlock, Usage } from '../../canonical.js';
import { stopReasonToGemini, usageToGemini } from './mapping.js';
import { argsForGemini, geminiToolName } from './tool-names.js';
import type { GeminiPart, GeminiResponse } from './types.js';

/** Canonical response → a Gemini GenerateContentResponse, echoing the model the client asked for. */
export function encodeGeminiResponse(res: CanonicalResponse, model: string): GeminiResponse {
  const parts: GeminiPart[] = [];
  for (const b of res.content) {
    const p = partOf(b);
    if (!p) continue;
    const prev = parts[parts.length - 1];
    // A signature lent to the thinking before a call (see decode-response) goes out once, on the call.
    if (p.functionCall && prev?.thought && prev.thoughtSignature === p.thoughtSignature)
      delete prev.thoughtSignature;
    parts.push(p);
  }
  const out: GeminiResponse = {
    candidates: [
      {
        content: { role: 'model', parts },
        finishReason: stopReasonToGemini(res.stopReason),
        index: 0,
      },
    ],
    usageMetadata: usageToGemini(res.usage ?? { inputTokens: 0, outputTokens: 0 }),
    modelVersion: model,
  };
  if (res.id) out.responseId = res.id;
  return out;
}

function partOf(b: ContentBlock): GeminiPart | undefined {
  switch (b.type) {
    case 'text':
      return { text: b.text };
    case 'thinking': {
      if (b.redacted !== undefined)
        return b.signature ? { text: '', thought: true, thoughtSignature: b.signature } : undefined;
      const p: GeminiPart = { text: b.text, thought: true };
      if (b.signature) p.thoughtSignature = b.signature;
      return p;
    }
    case 'tool_use': {
      const p: GeminiPart = {
        functionCall: {
          id: b.id,
          name: geminiToolName(b.name, b.namespace),
          args: argsForGemini(b.input, b.kind),
        },
      };
      if (b.signature) p.thoughtSignature = b.signature;
      return p;
    }
    case 'image':
      return b.source.kind === 'base64'
        ? { inlineData: { mimeType: b.source.mediaType, data: b.source.data } }
        : { fileData: { fileUri: b.source.url } };
    default:
      return undefined;
  }
}

/**
 * Canonical stream events → Gemini stream chunks (one GenerateContentResponse per SSE event).
 * Text and thoughts go out as they arrive; a function call is buffered until its block closes
 * (Gemini sends calls whole); the last chunk, sent at the end, carries the finish reason and the
 * final usage.
 * Returns the chunks each event produces.
 */
export function createGeminiChunkEncoder(model: string): (ev: CanonicalEvent) => GeminiResponse[] {
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let id = '';
  const tools = new Map<
    number,
    { id: string; name: string; namespace?: string; kind?: string; signature?: string; buf: string }
  >();
  const signatures = new Map<number, string>();
  /** A thinking block's signature, held until it is clear it is not the next call's own. */
  let heldSignature: string | undefined;
  let finish: string | undefined;
  const flushHeld = (next?: string): GeminiResponse[] => {
    const sig = heldSignature;
    heldSignature = undefined;
    return sig && sig !== next ? [chunk([{ text: '', thought: true, thoughtSignature: sig }])] : [];
  };
  const chunk = (
    parts: GeminiPart[],
    extra: Partial<GeminiResponse['candidates'] & object>[0] = {},
  ): GeminiResponse => {
    const c: GeminiResponse = {
      candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
      usageMetadata: usageToGemini(usage),
      modelVersion: model,
    };
    if (id) c.responseId = id;
    return c;
  };

  return (ev) => {
    if (heldSignature !== undefined && ev.type !== 'usage') {
      const next = ev.type === 'block_start' && ev.block.type === 'tool_use' ? ev.block.signature : undefined;
      return [...flushHeld(next), ...encodeEvent(ev)];
    }
    return encodeEvent(ev);
  };

  function encodeEvent(ev: CanonicalEvent): GeminiResponse[] {
    switch (ev.type) {
      case 'start':
        id = ev.id;
        if (ev.usage) Object.assign(usage, ev.usage);
        return [];
      case 'usage':
        for (const [k, v] of Object.entries(ev.usage))
          if (typeof v === 'number') (usage as never as Record<string, number>)[k] = v;
        return [];
      case 'block_start':
        if (ev.block.type === 'tool_use')
          tools.set(ev.index, {
            id: ev.block.id,
            name: geminiToolName(ev.block.name, ev.block.namespace),
            kind: ev.block.kind,
            signature: ev.block.signature,
            buf: '',
          });
        return [];
      case 'text_delta':
        return ev.text ? [chunk([{ text: ev.text }])] : [];
      case 'thinking_delta':
        return ev.text ? [chunk([{ text: ev.text, thought: true }])] : [];
      case 'signature_delta':
        signatures.set(ev.index, (signatures.get(ev.index) ?? '') + ev.signature);
        return [];
      case 'tool_input_delta': {
        const t = tools.get(ev.index);
        if (t) t.buf += ev.partial;
        return [];
      }
      case 'block_stop': {
        const t = tools.get(ev.index);
        const sig = signatures.get(ev.index);
        if (t) {
          tools.delete(ev.index);
          const input = t.kind === 'custom' ? t.buf : parseArgs(t.buf);
          const p: GeminiPart = {
            functionCall: {
              id: t.id,
              name: t.name,
              args: argsForGemini(input, t.kind as 'custom' | undefined),
            },
          };
          if (t.signature) p.thoughtSignature = t.signature;
          return [chunk([p])];
        }
        if (sig) {
          signatures.delete(ev.index);
          heldSignature = sig;
        }
        return [];
      }
      case 'stop':
        // Usage may still follow (Anthropic reports it beside the stop): the finish goes out at the end.
        finish = stopReasonToGemini(ev.stopReason);
        return [];
      case 'end':
        if (finish === undefined) return [];
        return [chunk([], { finishReason: finish })];
      default:
        return [];
    }
  }
}

function parseArgs(buf: string): unknown {
  if (buf.trim() === '') return {};
  try {
    return JSON.parse(buf);
  } catch {
    return buf;
  }
}
