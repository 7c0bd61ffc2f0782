import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../src/gateway/canonical.js';
import { anthropicMessagesDialect as dialect } from '../../../../src/gateway/dialects/anthropic-messages.js';
import type { EncodeContext } from '../../../../src/gateway/dialects/types.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import { createAnthropicStreamParser } from '../../../../src/gateway/providers/anthropic/stream.js';
import type { SseEvent } from '../../../../src/gateway/upstream/sse.js';
import { anthropicSchema } from '../providers/anthropic/helpers.js';
import { decodeSse } from '../../../helpers/sse.js';

const CTX: EncodeContext = { model: 'claude-opus-4-8', requestId: 'req-1', created: 1_700_000_000 };

/** A full stream as the parser would produce it: the order encoders must accept. */
const EVENTS: CanonicalEvent[] = [
  {
    type: 'start',
    id: 'msg_01abc',
    model: 'claude-opus-4-8',
    usage: { inputTokens: 30, outputTokens: 0, cacheReadTokens: 900, cacheWriteTokens: 10 },
  },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'Plan: read the file.' },
  { type: 'signature_delta', index: 0, signature: 'EqQBsig==' },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'Reading ' },
  { type: 'text_delta', index: 1, text: 'it — ✓ 😀' },
  { type: 'block_stop', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_use', id: 'toolu_1', name: 'Read' } },
  { type: 'tool_input_delta', index: 2, partial: '{"file_path":' },
  { type: 'tool_input_delta', index: 2, partial: '"/tmp/a"}' },
  { type: 'block_stop', index: 2 },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'usage', usage: { inputTokens: 30, outputTokens: 42, cacheReadTokens: 900, cacheWriteTokens: 10 } },
  { type: 'end' },
];

function encodeAll(events: CanonicalEvent[], ctx = CTX): string {
  const enc = dialect.streamEncoder(ctx);
  return events.map((e) => enc.event(e)).join('');
}

const decode = (text: string): SseEvent[] => decodeSse(text);

/** Checks the Anthropic stream grammar; returns the JSON payloads. */
function checkSequence(sse: SseEvent[]): Array<Record<string, any>> {
  const payloads = sse.map((e) => {
    const p = JSON.parse(e.data) as Record<string, any>;
    expect(e.event).toBe(p.type);
    return p;
  });
  expect(payloads[0].type).toBe('message_start');
  expect(payloads.at(-1)!.type).toBe('message_stop');
  expect(payloads.at(-2)!.type).toBe('message_delta');
  let next = 0;
  const open = new Set<number>();
  for (const p of payloads.slice(1, -2)) {
    if (p.type === 'content_block_start') {
      expect(p.index).toBe(next++);
      open.add(p.index);
    } else if (p.type === 'content_block_delta') expect(open.has(p.index)).toBe(true);
    else if (p.type === 'content_block_stop') expect(open.delete(p.index)).toBe(true);
    else if (p.type !== 'ping') throw new Error(`unexpected ${p.type}`);
  }
  expect(open.size).toBe(0);
  return payloads;
}

describe('anthropic-messages stream encoder', () => {
  it('writes the full Anthropic sequence with event: lines, dense indices and usage', () => {
    const payloads = checkSequence(decode(encodeAll(EVENTS)));
    expect(payloads[0].message).toMatchObject({
      id: 'msg_01abc',
      model: 'claude-opus-4-8',
      content: [],
      stop_reason: null,
      usage: {
        input_tokens: 30,
        output_tokens: 0,
        cache_read_input_tokens: 900,
        cache_creation_input_tokens: 10,
      },
    });
    expect(payloads.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 30,
        output_tokens: 42,
        cache_read_input_tokens: 900,
        cache_creation_input_tokens: 10,
      },
    });
    expect(payloads.find((p) => p.content_block?.type === 'tool_use')?.content_block).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'Read',
      input: {},
    });
  });

  it('text and tool events are valid against the published MessageStreamEvent schema', () => {
    const known = EVENTS.filter((e) => !('index' in e) || e.index !== 0);
    const validate = anthropicSchema('MessageStreamEvent');
    for (const p of checkSequence(decode(encodeAll(known)))) {
      expect(validate(p), `${JSON.stringify(p)} ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    }
  });

  it('round-trips: encoder output through the Anthropic parser gives back the same events', () => {
    const parse = createAnthropicStreamParser();
    expect(decode(encodeAll(EVENTS)).flatMap((e) => parse(e))).toEqual(EVENTS);
  });

  it('round-trips custom-tool input as the JSON of {input}, escaping included', () => {
    const raw = '*** Begin Patch\n+say "hi"\\ \u2713\n*** End Patch';
    const events: CanonicalEvent[] = [
      { type: 'start', id: 'msg_2', model: 'claude-opus-4-8', usage: { inputTokens: 1, outputTokens: 0 } },
      {
        type: 'block_start',
        index: 0,
        block: { type: 'tool_use', id: 'c1', name: 'apply_patch', kind: 'custom' },
      },
      { type: 'tool_input_delta', index: 0, partial: raw.slice(0, 20) },
      { type: 'tool_input_delta', index: 0, partial: raw.slice(20) },
      { type: 'block_stop', index: 0 },
      { type: 'stop', stopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 5 } },
      { type: 'end' },
    ];
    const sse = decode(encodeAll(events));
    checkSequence(sse);
    const json = sse
      .map((e) => JSON.parse(e.data))
      .filter((p) => p.delta?.type === 'input_json_delta')
      .map((p) => p.delta.partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ input: raw });
    const parse = createAnthropicStreamParser({ tools: [{ name: 'apply_patch', kind: 'custom' }] });
    expect(sse.flatMap((e) => parse(e))).toEqual([
      ...events.slice(0, 2),
      { type: 'tool_input_delta', index: 0, partial: raw },
      ...events.slice(4),
    ]);
  });

  it('synthesises message_start and opens blocks when content comes first; ends only on end', () => {
    const enc = dialect.streamEncoder(CTX);
    let text = enc.event({ type: 'text_delta', index: 0, text: 'hi' });
    text += enc.event({ type: 'stop', stopReason: 'end_turn' });
    expect(text).not.toContain('message_delta');
    expect(text).not.toContain('message_stop');
    text += enc.event({ type: 'end' });
    const payloads = checkSequence(decode(text));
    expect(payloads[0].message.id).toBe('msg_req-1');
    expect(payloads[0].message.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
    expect(payloads.map((p) => p.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(enc.event({ type: 'text_delta', index: 0, text: 'late' })).toBe('');
  });

  it('error() writes one error event and never a message_stop, before or after content', () => {
    const enc = dialect.streamEncoder(CTX);
    const head = EVENTS.slice(0, 8)
      .map((e) => enc.event(e))
      .join('');
    const tail = enc.error(new GatewayError('upstream_error', 'upstream stream ended before completion'));
    expect(tail).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream stream ended before completion"}}\n\n',
    );
    expect(enc.event({ type: 'end' })).toBe('');
    expect(head + tail).not.toContain('message_stop');
    const fresh = dialect.streamEncoder(CTX).error(new GatewayError('rate_limit', 'slow down'));
    expect(decode(fresh)).toEqual([
      { event: 'error', data: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}' },
    ]);
  });

  it('an in-stream canonical error keeps the upstream’s Anthropic error type and ends the stream', () => {
    const enc = dialect.streamEncoder(CTX);
    enc.event(EVENTS[0]);
    const out = enc.event({
      type: 'error',
      message: 'Overloaded',
      errorType: 'overloaded_error',
      status: 529,
    });
    expect(decode(out)).toEqual([
      { event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
    ]);
    expect(enc.event({ type: 'end' })).toBe('');
    const other = dialect
      .streamEncoder(CTX)
      .event({ type: 'error', message: 'boom', errorType: 'server_error' });
    expect(JSON.parse(decode(other)[0].data).error.type).toBe('api_error');
  });

  it('the real Anthropic SDK assembles the stream into the final message', async () => {
    const sse = encodeAll(EVENTS);
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://127.0.0.1:9',
      maxRetries: 0,
      fetch: async () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    });
    const msg = await client.messages
      .stream({ model: 'claude-opus-4-8', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .finalMessage();
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: 'Plan: read the file.', signature: 'EqQBsig==' },
      { type: 'text', text: 'Reading it — ✓ 😀' },
      { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/tmp/a' } },
    ]);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.usage).toMatchObject({ input_tokens: 30, output_tokens: 42, cache_read_input_tokens: 900 });
  });
});
