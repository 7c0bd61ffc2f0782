/**
 * Canonical stream events → the Responses SSE sequence, with `event:` lines and sequence numbers:
 * response.created, response.in_progress, per block output_item.added … deltas … output_item.done
 * (carrying the complete item, which Codex needs), and response.completed only on a proper end.
 */
import { mergeUsage, type CanonicalEvent, type StopReason, type Usage } from '../canonical.js';
import { GatewayError } from '../errors.js';
import { encodeSse } from '../upstream/sse.js';
import {
  callItem,
  callTarget,
  echoed,
  envelope,
  failedCode,
  idBase,
  itemId,
  messageItem,
  outputText,
  reasoningItem,
  statusFor,
  unwrapCustomInput,
  type CallTarget,
  type EnvelopeParts,
} from './openai-responses-encode.js';
import type { EncodeContext, SseOut, StreamEncoder } from './types.js';

type Json = Record<string, unknown>;

interface Open {
  kind: 'text' | 'reasoning' | 'call' | 'skip';
  outputIndex: number;
  id: string;
  buf: string;
  /** Reasoning: the summary part was opened. */
  summary?: boolean;
  signature?: string;
  callId?: string;
  target?: CallTarget;
}

export function createResponsesStreamEncoder(ctx: EncodeContext): StreamEncoder {
  const base = idBase(ctx);
  const responseId = `resp_${base}`;
  const blocks = new Map<number, Open>();
  const output: Json[] = [];
  const done = new Set<number>();
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let sawUsage = false;
  let stopReason: StopReason | null = null;
  let seq = 0;
  let started = false;
  let finished = false;

  const emit = (type: string, payload: Json): string =>
    encodeSse({ type, sequence_number: seq++, ...payload }, type);

  /**
   * `,"instructions":…,"tools":…`, serialised once per stream (see envelope): text, or UTF-8 bytes
   * when the client's own bytes of a member are reused (three events carry it; the bytes are copied,
   * not decoded and encoded again for each).
   */
  let echo: SseOut | undefined;
  /** An event whose last member is the Response object, with the echoed members spliced in. */
  const emitResponse = (type: string, parts: EnvelopeParts): SseOut => {
    if (echo === undefined) {
      const e = echoed(ctx);
      const instructions = ctx.clientJson?.('instructions', e.instructions);
      const tools = ctx.clientJson?.('tools', e.tools);
      echo =
        instructions || tools
          ? Buffer.concat([
              Buffer.from(',"instructions":'),
              instructions ?? Buffer.from(JSON.stringify(e.instructions), 'utf8'),
              Buffer.from(',"tools":'),
              tools ?? Buffer.from(JSON.stringify(e.tools), 'utf8'),
            ])
          : `,"instructions":${JSON.stringify(e.instructions)},"tools":${JSON.stringify(e.tools)}`;
    }
    const response = envelope(ctx, parts, { echo: false });
    // `…}}`: the Response object closes, then the event. JSON text holds no raw newline, so the
    // event is one data line (encodeSse would scan the tens of kilobytes for one, three times).
    const json = JSON.stringify({ type, sequence_number: seq++, response });
    const head = `event: ${type}\ndata: ${json.slice(0, -2)}`;
    if (typeof echo === 'string') return `${head}${echo}}}\n\n`;
    return Buffer.concat([Buffer.from(head, 'utf8'), echo, RESPONSE_TAIL]);
  };

  function start(): SseOut {
    if (started) return '';
    started = true;
    const parts: EnvelopeParts = { id: responseId, status: 'in_progress', output: [] };
    return joinSse(emitResponse('response.created', parts), emitResponse('response.in_progress', parts));
  }

  function open(index: number, block: Extract<CanonicalEvent, { type: 'block_start' }>['block']): string {
    const outputIndex = output.length;
    if (block.type === 'thinking' && block.redacted !== undefined) {
      blocks.set(index, { kind: 'skip', outputIndex: -1, id: '', buf: '' });
      return '';
    }
    let st: Open;
    let item: Json;
    if (block.type === 'text') {
      st = { kind: 'text', outputIndex, id: itemId('msg', base, outputIndex), buf: '' };
      item = { id: st.id, type: 'message', role: 'assistant', status: 'in_progress', content: [] };
    } else if (block.type === 'thinking') {
      st = { kind: 'reasoning', outputIndex, id: itemId('rs', base, outputIndex), buf: '' };
      item = { id: st.id, type: 'reasoning', summary: [] };
    } else {
      const target = callTarget(block, ctx.request);
      const id = itemId(target.kind === 'custom' ? 'ctc' : 'fc', base, outputIndex);
      st = { kind: 'call', outputIndex, id, buf: '', callId: block.id, target };
      item = callItem(id, block.id, target, '', 'in_progress');
    }
    blocks.set(index, st);
    output.push(item);
    let text = emit('response.output_item.added', { output_index: outputIndex, item });
    if (st.kind === 'text') {
      text += emit('response.content_part.added', {
        item_id: st.id,
        output_index: outputIndex,
        content_index: 0,
        part: outputText(''),
      });
    }
    return text;
  }

  function delta(st: Open, piece: string): string {
    const at = { item_id: st.id, output_index: st.outputIndex };
    if (st.kind === 'text') {
      st.buf += piece;
      return emit('response.output_text.delta', { ...at, content_index: 0, delta: piece, logprobs: [] });
    }
    if (st.kind === 'reasoning') {
      let text = '';
      if (!st.summary) {
        st.summary = true;
        text += emit('response.reasoning_summary_part.added', {
          ...at,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        });
      }
      st.buf += piece;
      return text + emit('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: piece });
    }
    if (st.kind !== 'call' || !st.target) return '';
    st.buf += piece;
    if (st.target.unwrap) return ''; // JSON arguments for a custom tool: unwrapped when complete
    const type =
      st.target.kind === 'custom'
        ? 'response.custom_tool_call_input.delta'
        : 'response.function_call_arguments.delta';
    return emit(type, { ...at, delta: piece });
  }

  function close(index: number): string {
    const st = blocks.get(index);
    blocks.delete(index);
    if (!st || st.kind === 'skip') return '';
    const at = { item_id: st.id, output_index: st.outputIndex };
    let text = '';
    let item: Json;
    if (st.kind === 'text') {
      text += emit('response.output_text.done', { ...at, content_index: 0, text: st.buf, logprobs: [] });
      text += emit('response.content_part.done', { ...at, content_index: 0, part: outputText(st.buf) });
      item = messageItem(st.id, st.buf, 'completed');
    } else if (st.kind === 'reasoning') {
      if (st.summary) {
        const part = { type: 'summary_text', text: st.buf };
        text += emit('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: st.buf });
        text += emit('response.reasoning_summary_part.done', { ...at, summary_index: 0, part });
      }
      item = reasoningItem(st.id, st.buf, st.signature);
    } else {
      const t = st.target as CallTarget;
      if (t.kind === 'custom') {
        let input = st.buf;
        if (t.unwrap) {
          input = unwrapCustomInput(parseJson(st.buf));
          if (input.length > 0)
            text += emit('response.custom_tool_call_input.delta', { ...at, delta: input });
        }
        text += emit('response.custom_tool_call_input.done', { ...at, input });
        item = callItem(st.id, st.callId as string, t, input, 'completed');
      } else {
        const args = st.buf.length > 0 ? st.buf : '{}';
        text += emit('response.function_call_arguments.done', { ...at, name: t.name, arguments: args });
        item = callItem(st.id, st.callId as string, t, args, 'completed');
      }
    }
    output[st.outputIndex] = item;
    done.add(st.outputIndex);
    return text + emit('response.output_item.done', { output_index: st.outputIndex, item });
  }

  function closeAll(): string {
    let text = '';
    for (const index of [...blocks.keys()].sort((a, b) => a - b)) text += close(index);
    return text;
  }

  function end(): SseOut {
    let text = joinSse(start(), closeAll());
    const { status, incomplete } = statusFor(stopReason);
    if (status === 'incomplete' && output.length > 0) {
      const last = output[output.length - 1];
      if (last.type !== 'reasoning') last.status = 'incomplete';
    }
    text = joinSse(
      text,
      emitResponse('response.completed', {
        id: responseId,
        status,
        output,
        usage: sawUsage ? usage : { inputTokens: 0, outputTokens: 0 },
        incomplete,
      }),
    );
    finished = true;
    return text;
  }

  function error(err: GatewayError): SseOut {
    if (finished) return '';
    finished = true;
    let message = err.message;
    if (err.code === 'rate_limit' && err.retryAfterS !== undefined)
      message += ` Please try again in ${err.retryAfterS}s.`;
    return joinSse(
      emit('error', { code: err.code, message, param: err.param }),
      emitResponse('response.failed', {
        id: responseId,
        status: 'failed',
        output: output.filter((_, i) => done.has(i)),
        usage: sawUsage ? usage : undefined,
        error: { code: failedCode(err), message },
      }),
    );
  }

  return {
    event(ev: CanonicalEvent): SseOut {
      if (finished) return '';
      if (ev.type === 'error') return error(new GatewayError('upstream_error', ev.message));
      let text: SseOut = start();
      switch (ev.type) {
        case 'start':
          if (ev.usage) {
            mergeUsage(usage, ev.usage);
            sawUsage = true;
          }
          return text;
        case 'block_start':
          if (blocks.has(ev.index)) text = joinSse(text, close(ev.index));
          return joinSse(text, open(ev.index, ev.block));
        case 'text_delta':
        case 'thinking_delta':
        case 'tool_input_delta': {
          const st = blocks.get(ev.index);
          const piece = ev.type === 'tool_input_delta' ? ev.partial : ev.text;
          return st ? joinSse(text, delta(st, piece)) : text;
        }
        case 'signature_delta': {
          const st = blocks.get(ev.index);
          if (st) st.signature = (st.signature ?? '') + ev.signature;
          return text;
        }
        case 'block_stop':
          return joinSse(text, close(ev.index));
        case 'usage':
          mergeUsage(usage, ev.usage);
          sawUsage = true;
          return text;
        case 'stop':
          stopReason = ev.stopReason;
          return text;
        case 'end':
          return joinSse(text, end());
      }
      return text;
    },
    error,
  };
}

const RESPONSE_TAIL = Buffer.from('}}\n\n');

/** Two pieces of SSE output as one: text stays text, and bytes are joined as UTF-8. */
function joinSse(a: SseOut, b: SseOut): SseOut {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return Buffer.concat([
    typeof a === 'string' ? Buffer.from(a, 'utf8') : a,
    typeof b === 'string' ? Buffer.from(b, 'utf8') : b,
  ]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
