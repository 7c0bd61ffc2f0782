/**
 * A fresh parser for one Responses API stream: events are dispatched on the JSON `type` (the
 * `event:` line is optional), items become canonical blocks, `response.completed` (or
 * `response.incomplete`) ends the stream with usage, `response.failed` and `error` report errors.
 * Tolerant of upstreams that skip events: an item seen only in `output_item.done` is still
 * delivered whole, and `.done` texts fill in whatever the deltas did not carry.
 */
import type { CanonicalEvent } from '../../canonical.js';
import type { SseEvent } from '../../upstream/sse.js';
import {
  errorFromEvent,
  errorFromFailed,
  isObject,
  reasoningText,
  stopReasonFromResponse,
  toolUseFromItem,
  usageFromResponses,
} from './responses-response.js';

type Json = Record<string, unknown>;

interface Part {
  block: number;
  len: number;
  open: boolean;
}

interface ItemState {
  kind: 'message' | 'reasoning' | 'call' | 'other';
  /** message: content_index → text block. */
  parts: Map<number, Part>;
  /** reasoning and call: the block and how many characters of text/input it has been given. */
  block?: Part;
  summaries: number;
}

export function createResponsesStreamParser(): (ev: SseEvent) => CanonicalEvent[] {
  const items = new Map<number, ItemState>();
  let next = 0;
  let started = false;
  let finished = false;
  let sawToolCall = false;
  let sawRefusal = false;

  function ensureStart(out: CanonicalEvent[], resp?: unknown): void {
    if (started) return;
    started = true;
    const r = isObject(resp) ? resp : {};
    out.push({
      type: 'start',
      id: typeof r.id === 'string' ? r.id : '',
      model: typeof r.model === 'string' ? r.model : '',
    });
  }

  function openBlock(
    out: CanonicalEvent[],
    block: Extract<CanonicalEvent, { type: 'block_start' }>['block'],
  ): Part {
    const p: Part = { block: next++, len: 0, open: true };
    out.push({ type: 'block_start', index: p.block, block });
    return p;
  }

  /** Feed text to a block; `full` (from a `.done` event) only adds what the deltas did not carry. */
  function feed(
    out: CanonicalEvent[],
    p: Part,
    kind: 'text' | 'thinking' | 'tool',
    text: string,
    full = false,
  ): void {
    if (!p.open) return;
    const piece = full ? (text.length > p.len ? text.slice(p.len) : '') : text;
    if (piece.length === 0) return;
    p.len += piece.length;
    if (kind === 'text') out.push({ type: 'text_delta', index: p.block, text: piece });
    else if (kind === 'thinking') out.push({ type: 'thinking_delta', index: p.block, text: piece });
    else out.push({ type: 'tool_input_delta', index: p.block, partial: piece });
  }

  function close(out: CanonicalEvent[], p: Part | undefined): void {
    if (!p || !p.open) return;
    p.open = false;
    out.push({ type: 'block_stop', index: p.block });
  }

  function itemState(oi: number, kind: ItemState['kind']): ItemState {
    let st = items.get(oi);
    if (!st) {
      st = { kind, parts: new Map(), summaries: 0 };
      items.set(oi, st);
    }
    return st;
  }

  function addItem(out: CanonicalEvent[], oi: number, item: Json): ItemState {
    const type = item.type;
    if (type === 'message') return itemState(oi, 'message');
    if (type === 'reasoning') {
      const st = itemState(oi, 'reasoning');
      st.block ??= openBlock(out, { type: 'thinking' });
      return st;
    }
    if (type === 'function_call' || type === 'custom_tool_call') {
      const st = itemState(oi, 'call');
      if (!st.block) {
        sawToolCall = true;
        const u = toolUseFromItem(item);
        const block: Extract<CanonicalEvent, { type: 'block_start' }>['block'] = {
          type: 'tool_use',
          id: u.id,
          name: u.name,
          kind: u.kind,
        };
        if (u.namespace !== undefined) block.namespace = u.namespace;
        st.block = openBlock(out, block);
        feed(out, st.block, 'tool', callPayload(item));
      }
      return st;
    }
    return itemState(oi, 'other');
  }

  function textPart(out: CanonicalEvent[], oi: number, ci: number): Part {
    const st = itemState(oi, 'message');
    let p = st.parts.get(ci);
    if (!p) {
      p = openBlock(out, { type: 'text' });
      st.parts.set(ci, p);
    }
    return p;
  }

  function itemDone(out: CanonicalEvent[], oi: number, item: Json): void {
    const st = addItem(out, oi, item);
    if (st.kind === 'message') {
      const content = Array.isArray(item.content) ? item.content : [];
      content.forEach((part, ci) => {
        if (!isObject(part) || (part.type !== 'output_text' && part.type !== 'refusal')) return;
        if (part.type === 'refusal') sawRefusal = true;
        const text =
          typeof part.text === 'string' ? part.text : typeof part.refusal === 'string' ? part.refusal : '';
        const p = textPart(out, oi, ci);
        feed(out, p, 'text', text, true);
        close(out, p);
      });
      for (const p of st.parts.values()) close(out, p);
    } else if (st.kind === 'call' && st.block) {
      feed(out, st.block, 'tool', callPayload(item), true);
      close(out, st.block);
    } else if (st.kind === 'reasoning' && st.block) {
      if (st.block.len === 0) feed(out, st.block, 'thinking', reasoningText(item));
      if (typeof item.encrypted_content === 'string' && item.encrypted_content.length > 0 && st.block.open) {
        out.push({ type: 'signature_delta', index: st.block.block, signature: item.encrypted_content });
      }
      close(out, st.block);
    }
  }

  function finish(out: CanonicalEvent[], resp: Json): void {
    const open: Part[] = [];
    for (const st of items.values()) {
      for (const p of st.parts.values()) if (p.open) open.push(p);
      if (st.block?.open) open.push(st.block);
    }
    for (const p of open.sort((a, b) => a.block - b.block)) close(out, p);
    const usage = usageFromResponses(resp.usage);
    if (usage) out.push({ type: 'usage', usage });
    out.push({
      type: 'stop',
      stopReason: sawRefusal ? 'refusal' : stopReasonFromResponse(resp, sawToolCall),
    });
    out.push({ type: 'end' });
    finished = true;
  }

  return (ev: SseEvent): CanonicalEvent[] => {
    if (finished) return [];
    let data: unknown;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return [];
    }
    if (!isObject(data)) return [];
    const type = typeof data.type === 'string' ? data.type : ev.event;
    const out: CanonicalEvent[] = [];
    const oi = typeof data.output_index === 'number' ? data.output_index : 0;
    const ci = typeof data.content_index === 'number' ? data.content_index : 0;
    const delta = typeof data.delta === 'string' ? data.delta : '';
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        ensureStart(out, data.response);
        break;
      case 'response.output_item.added':
        ensureStart(out);
        if (isObject(data.item)) addItem(out, oi, data.item);
        break;
      case 'response.content_part.added':
        ensureStart(out);
        if (isObject(data.part) && (data.part.type === 'output_text' || data.part.type === 'refusal')) {
          const p = textPart(out, oi, ci);
          feed(out, p, 'text', String(data.part.text ?? data.part.refusal ?? ''));
        }
        break;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        ensureStart(out);
        if (type === 'response.refusal.delta') sawRefusal = true;
        feed(out, textPart(out, oi, ci), 'text', delta);
        break;
      case 'response.output_text.done':
      case 'response.refusal.done': {
        const full = type === 'response.output_text.done' ? data.text : data.refusal;
        if (typeof full === 'string') feed(out, textPart(out, oi, ci), 'text', full, true);
        break;
      }
      case 'response.content_part.done':
        close(out, items.get(oi)?.parts.get(ci));
        break;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const b = items.get(oi)?.block;
        if (b) feed(out, b, 'tool', delta);
        break;
      }
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const b = items.get(oi)?.block;
        const full = type === 'response.function_call_arguments.done' ? data.arguments : data.input;
        if (b && typeof full === 'string') feed(out, b, 'tool', full, true);
        break;
      }
      case 'response.reasoning_summary_part.added': {
        ensureStart(out);
        const st = addItem(out, oi, { type: 'reasoning' });
        if (st.summaries++ > 0 && st.block && st.block.len > 0) feed(out, st.block, 'thinking', '\n\n');
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        ensureStart(out);
        const st = addItem(out, oi, { type: 'reasoning' });
        if (st.block) feed(out, st.block, 'thinking', delta);
        break;
      }
      case 'response.output_item.done':
        ensureStart(out);
        if (isObject(data.item)) itemDone(out, oi, data.item);
        break;
      case 'response.completed':
      case 'response.incomplete':
        ensureStart(out, data.response);
        finish(out, isObject(data.response) ? data.response : {});
        break;
      case 'response.failed':
        out.push(errorFromFailed(data.response));
        finished = true;
        break;
      case 'error':
        out.push(errorFromEvent(data));
        finished = true;
        break;
      default:
        break;
    }
    return out;
  };
}

function callPayload(item: Json): string {
  const v = item.type === 'custom_tool_call' ? item.input : item.arguments;
  return typeof v === 'string' ? v : '';
}
