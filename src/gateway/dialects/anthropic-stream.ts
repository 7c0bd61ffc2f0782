import { mergeUsage, type CanonicalEvent, type StopReason, type Usage } from '../canonical.js';
import type { GatewayError } from '../errors.js';
import { encodeSse } from '../upstream/sse.js';
import {
  errorPayload,
  gatewayErrorPayload,
  messageId,
  stopReasonToWire,
  usageToWire,
} from './anthropic-encode.js';
import type { EncodeContext, StreamEncoder } from './types.js';

interface Block {
  /** The index the client sees: dense, in the order blocks open. */
  out: number;
  kind: 'text' | 'thinking' | 'tool' | 'custom';
  open: boolean;
  /** Custom tools: the `{"input":"` prefix was sent. */
  wrapped?: boolean;
}

/**
 * Canonical events → the Anthropic SSE sequence, every event with its `event:` line (the Anthropic
 * SDK drops data-only events): message_start (synthesised if content comes first),
 * content_block_start/delta/stop with dense indices, then message_delta and message_stop only on a
 * proper `end`. Custom-tool raw input is streamed as the JSON of `{input}`. After `error()` nothing
 * more is written, never a message_stop.
 */
export function createAnthropicStreamEncoder(ctx: EncodeContext): StreamEncoder<string> {
  const blocks = new Map<number, Block>();
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let next = 0;
  let started = false;
  let finished = false;
  let stopReason: StopReason | null = null;
  let stopSequence: string | null = null;
  let hasToolUse = false;

  const emit = (payload: { type: string } & Record<string, unknown>): string =>
    encodeSse(payload, payload.type);

  function start(id: string | undefined, initial: Partial<Usage> | undefined): string {
    if (started) return '';
    started = true;
    if (initial !== undefined) mergeUsage(usage, initial);
    // A Chat upstream says nothing about input until its last chunk; SDKs read it here.
    if (initial?.inputTokens === undefined && ctx.inputTokensEstimate)
      usage.inputTokens = ctx.inputTokensEstimate();
    const message = {
      id: messageId(id, ctx),
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageToWire({ ...usage, outputTokens: initial?.outputTokens ?? 0 }),
    };
    return emit({ type: 'message_start', message });
  }

  function open(index: number, kind: Block['kind'], contentBlock: Record<string, unknown>): string {
    const b: Block = { out: next++, kind, open: true };
    blocks.set(index, b);
    return emit({ type: 'content_block_start', index: b.out, content_block: contentBlock });
  }

  /** The block a delta belongs to, opened on the fly when a producer skipped its block_start. */
  function target(index: number, kind: 'text' | 'thinking'): [Block | undefined, string] {
    const b = blocks.get(index);
    if (b !== undefined) return [b.open ? b : undefined, ''];
    const head =
      kind === 'text'
        ? open(index, 'text', { type: 'text', text: '' })
        : open(index, 'thinking', thinkingStart());
    return [blocks.get(index), head];
  }

  function delta(b: Block, d: Record<string, unknown>): string {
    return emit({ type: 'content_block_delta', index: b.out, delta: d });
  }

  function close(b: Block): string {
    if (!b.open) return '';
    b.open = false;
    let text = '';
    if (b.kind === 'custom')
      text += delta(b, { type: 'input_json_delta', partial_json: b.wrapped ? '"}' : '{"input":""}' });
    return text + emit({ type: 'content_block_stop', index: b.out });
  }

  function event(ev: CanonicalEvent): string {
    if (finished) return '';
    if (ev.type === 'start') return start(ev.id, ev.usage);
    if (ev.type === 'usage') {
      mergeUsage(usage, ev.usage);
      return '';
    }
    if (ev.type === 'stop') {
      stopReason = ev.stopReason;
      stopSequence = ev.stopSequence ?? null;
      return '';
    }
    if (ev.type === 'error') {
      finished = true;
      return emit(errorPayload(ev.errorType, ev.message) as { type: string });
    }
    let text = start(undefined, undefined);
    switch (ev.type) {
      case 'block_start': {
        if (blocks.has(ev.index)) return text;
        const blk = ev.block;
        if (blk.type === 'text') return text + open(ev.index, 'text', { type: 'text', text: '' });
        if (blk.type === 'thinking') {
          if (blk.redacted !== undefined)
            return text + open(ev.index, 'thinking', { type: 'redacted_thinking', data: blk.redacted });
          return text + open(ev.index, 'thinking', thinkingStart());
        }
        hasToolUse = true;
        const kind = blk.kind === 'custom' ? 'custom' : 'tool';
        return text + open(ev.index, kind, { type: 'tool_use', id: blk.id, name: blk.name, input: {} });
      }
      case 'text_delta': {
        const [b, head] = target(ev.index, 'text');
        text += head;
        return b && ev.text ? text + delta(b, { type: 'text_delta', text: ev.text }) : text;
      }
      case 'thinking_delta': {
        const [b, head] = target(ev.index, 'thinking');
        text += head;
        return b && ev.text ? text + delta(b, { type: 'thinking_delta', thinking: ev.text }) : text;
      }
      case 'signature_delta': {
        const [b, head] = target(ev.index, 'thinking');
        text += head;
        return b ? text + delta(b, { type: 'signature_delta', signature: ev.signature }) : text;
      }
      case 'tool_input_delta': {
        const b = blocks.get(ev.index);
        if (b === undefined || !b.open || ev.partial.length === 0) return text;
        if (b.kind !== 'custom')
          return text + delta(b, { type: 'input_json_delta', partial_json: ev.partial });
        const escaped = JSON.stringify(ev.partial).slice(1, -1);
        const partial = b.wrapped ? escaped : `{"input":"${escaped}`;
        b.wrapped = true;
        return text + delta(b, { type: 'input_json_delta', partial_json: partial });
      }
      case 'block_stop': {
        const b = blocks.get(ev.index);
        return b ? text + close(b) : text;
      }
      case 'end': {
        for (const b of blocks.values()) text += close(b);
        finished = true;
        text += emit({
          type: 'message_delta',
          delta: { stop_reason: stopReasonToWire(stopReason, hasToolUse), stop_sequence: stopSequence },
          usage: usageToWire(usage),
        });
        return text + emit({ type: 'message_stop' });
      }
    }
  }

  return {
    event,
    error(err: GatewayError): string {
      if (finished) return '';
      finished = true;
      return emit(gatewayErrorPayload(err) as { type: string });
    },
  };
}

function thinkingStart(): Record<string, unknown> {
  return { type: 'thinking', thinking: '', signature: '' };
}
