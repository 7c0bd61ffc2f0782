import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalRequest } from '../../../../src/gateway/canonical.js';
import { openaiResponsesDialect as dialect } from '../../../../src/gateway/dialects/openai-responses.js';
import type { EncodeContext } from '../../../../src/gateway/dialects/types.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import { validateOpenAI } from '../../../helpers/openai-schema.js';
import { specPath } from '../../../helpers/spec-path.js';
import { decodeSse } from '../../../helpers/sse.js';

type Json = Record<string, any>;

const SPEC = process.env.OPENAI_SCHEMAS ?? specPath('openai', 'openai-schemas.json');

/** Stream event type → the schema that describes it, read from the ResponseStreamEvent union. */
const EVENT_SCHEMA: Map<string, string> = (() => {
  const schemas = (JSON.parse(readFileSync(SPEC, 'utf8')) as { components: { schemas: Json } }).components
    .schemas;
  const map = new Map<string, string>();
  for (const ref of schemas.ResponseStreamEvent.anyOf as Json[]) {
    const name = String(ref.$ref).split('/').pop() as string;
    const type = schemas[name]?.properties?.type?.enum?.[0];
    if (typeof type === 'string') map.set(type, name);
  }
  return map;
})();

function codexRequest(name: string): CanonicalRequest {
  const url = new URL(`../../../fixtures/responses/${name}.json`, import.meta.url);
  return dialect.decodeRequest((JSON.parse(readFileSync(url, 'utf8')) as { body: Json }).body);
}

const ctx = (request?: CanonicalRequest): EncodeContext => ({
  model: 'code',
  requestId: 'req_42',
  created: 1_790_000_000,
  request,
});

/** Encode, then read the SSE back: every event has an `event:` line equal to its JSON type. */
function run(events: CanonicalEvent[], c = ctx(), fail?: GatewayError): { sse: string; events: Json[] } {
  const enc = dialect.streamEncoder(c);
  let sse = '';
  for (const ev of events) sse += enc.event(ev);
  if (fail) sse += enc.error(fail);
  const out = decodeSse(sse).map((e) => {
    const data = JSON.parse(e.data) as Json;
    expect(e.event).toBe(data.type);
    return data;
  });
  return { sse, events: out };
}

function checkSchemas(events: Json[], except: (e: Json) => boolean = () => false): void {
  for (const ev of events) {
    if (except(ev)) continue;
    const name = EVENT_SCHEMA.get(ev.type);
    expect(name, ev.type).toBeDefined();
    expect(validateOpenAI(name as string, ev), ev.type).toEqual([]);
  }
}

const types = (events: Json[]): string[] => events.map((e) => e.type);

const textStream: CanonicalEvent[] = [
  { type: 'start', id: 'msg_up', model: 'claude-x', usage: { inputTokens: 12, cacheReadTokens: 3 } },
  { type: 'block_start', index: 0, block: { type: 'text' } },
  { type: 'text_delta', index: 0, text: 'Hello' },
  { type: 'text_delta', index: 0, text: ' there' },
  { type: 'block_stop', index: 0 },
  { type: 'usage', usage: { outputTokens: 4 } },
  { type: 'stop', stopReason: 'end_turn' },
  { type: 'end' },
];

const toolStream: CanonicalEvent[] = [
  { type: 'start', id: 'msg_up', model: 'claude-x' },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'I should ' },
  { type: 'thinking_delta', index: 0, text: 'list files' },
  { type: 'signature_delta', index: 0, signature: 'sig-1' },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'tool_use', id: 'toolu_1', name: 'exec_command' } },
  { type: 'tool_input_delta', index: 1, partial: '{"cmd":' },
  { type: 'tool_input_delta', index: 1, partial: '"ls"}' },
  { type: 'block_stop', index: 1 },
  {
    type: 'block_start',
    index: 2,
    block: { type: 'tool_use', id: 'toolu_2', name: 'apply_patch', kind: 'custom' },
  },
  { type: 'tool_input_delta', index: 2, partial: '*** Begin Patch\n' },
  { type: 'tool_input_delta', index: 2, partial: '*** End Patch' },
  { type: 'block_stop', index: 2 },
  { type: 'usage', usage: { inputTokens: 50, outputTokens: 20, reasoningTokens: 8 } },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'end' },
];

describe('openaiResponsesDialect.streamEncoder', () => {
  it('emits the full text sequence, schema-valid, numbered, completed last with usage', () => {
    const { events } = run(textStream);
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    checkSchemas(events);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].response).toMatchObject({
      status: 'in_progress',
      output: [],
      id: 'resp_req42',
      model: 'code',
    });
    expect(events[2].item).toMatchObject({ type: 'message', content: [], status: 'in_progress' });
    expect(events[6].text).toBe('Hello there');
    const done = events[8].item;
    expect(done).toEqual({
      id: 'msg_req42_0',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Hello there', annotations: [], logprobs: [] }],
    });
    const completed = events[9].response;
    expect(completed.status).toBe('completed');
    expect(completed.output).toEqual([done]);
    expect(completed.usage).toMatchObject({
      input_tokens: 15,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: 4,
      total_tokens: 19,
    });
  });

  it('streams reasoning, function and custom tool calls; output_item.done carries each complete item', () => {
    const { events } = run(toolStream);
    checkSchemas(events);
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const dones = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
    expect(dones).toEqual([
      {
        id: 'rs_req42_0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'I should list files' }],
        encrypted_content: 'sig-1',
      },
      {
        id: 'fc_req42_1',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_1',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
      },
      {
        id: 'ctc_req42_2',
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'toolu_2',
        name: 'apply_patch',
        input: '*** Begin Patch\n*** End Patch',
      },
    ]);
    const last = events[events.length - 1].response;
    expect(last.output).toEqual(dones);
    expect(last.usage).toMatchObject({
      input_tokens: 50,
      output_tokens: 20,
      output_tokens_details: { reasoning_tokens: 8 },
    });
    // every delta comes after its item was added, and refers to it
    const added = new Map<number, string>();
    for (const e of events) {
      if (e.type === 'response.output_item.added') added.set(e.output_index, e.item.id);
      else if (typeof e.item_id === 'string') expect(added.get(e.output_index)).toBe(e.item_id);
    }
  });

  it('restores MCP namespaces and custom tools of the request in the stream', () => {
    const mcp = run(
      [
        { type: 'start', id: 'x', model: 'm' },
        { type: 'block_start', index: 0, block: { type: 'tool_use', id: 'call_1', name: 'mcp__mini__add' } },
        { type: 'tool_input_delta', index: 0, partial: '{"a":2,"b":40}' },
        { type: 'block_stop', index: 0 },
        { type: 'stop', stopReason: 'tool_use' },
        { type: 'end' },
      ],
      ctx(codexRequest('codex-mcp-round')),
    ).events;
    checkSchemas(mcp);
    const added = mcp.find((e) => e.type === 'response.output_item.added');
    expect(added?.item).toMatchObject({ type: 'function_call', name: 'add', namespace: 'mcp__mini' });
    expect(mcp.find((e) => e.type === 'response.output_item.done')?.item).toMatchObject({
      name: 'add',
      namespace: 'mcp__mini',
      arguments: '{"a":2,"b":40}',
      status: 'completed',
    });

    const patch = run(
      [
        { type: 'block_start', index: 0, block: { type: 'tool_use', id: 'call_2', name: 'apply_patch' } },
        { type: 'tool_input_delta', index: 0, partial: '{"input":"*** Begin' },
        { type: 'tool_input_delta', index: 0, partial: ' Patch"}' },
        { type: 'block_stop', index: 0 },
        { type: 'stop', stopReason: 'tool_use' },
        { type: 'end' },
      ],
      ctx(codexRequest('codex-patch-round')),
    ).events;
    checkSchemas(patch);
    expect(types(patch)).toContain('response.custom_tool_call_input.done');
    expect(types(patch)).not.toContain('response.function_call_arguments.delta');
    expect(patch.find((e) => e.type === 'response.output_item.done')?.item).toMatchObject({
      type: 'custom_tool_call',
      name: 'apply_patch',
      input: '*** Begin Patch',
    });
  });

  it('echoes the request in every Response object of the stream as the JSON answer does', () => {
    const req = codexRequest('codex-mcp-round');
    // Quotes, a newline and non-ASCII text: serialised once and spliced into each event.
    const c = ctx({ ...req, system: [{ type: 'text', text: 'Be "brief".\nÜber alles → 简洁' }] });
    const { events } = run(textStream, c);
    const answer = dialect.encodeResponse(
      {
        id: 'x',
        model: 'm',
        content: [{ type: 'text', text: 'Hello there' }],
        stopReason: 'end_turn',
        usage: { inputTokens: 15, outputTokens: 4 },
      },
      c,
    ) as Json;
    expect(answer.instructions).toBe('Be "brief".\nÜber alles → 简洁');
    expect(answer.tools.length).toBeGreaterThan(0);
    const envelopes = events.filter((e) => e.response).map((e) => e.response as Json);
    expect(envelopes.map((r) => r.status)).toEqual(['in_progress', 'in_progress', 'completed']);
    for (const r of envelopes) {
      expect(r.instructions).toBe(answer.instructions);
      expect(r.tools).toEqual(answer.tools);
      // OpenAI's member order: instructions after incomplete_details, tools after tool_choice.
      const keys = Object.keys(answer);
      expect(keys.indexOf('instructions')).toBe(keys.indexOf('incomplete_details') + 1);
      expect(keys.indexOf('tools')).toBe(keys.indexOf('tool_choice') + 1);
    }
    expect(Object.keys(envelopes[2]).sort()).toEqual(Object.keys(answer).sort());
  });

  it('ends a max_tokens stream with response.completed whose status is incomplete', () => {
    const events = run([
      ...textStream.slice(0, 6),
      { type: 'stop', stopReason: 'max_tokens' },
      { type: 'end' },
    ]).events;
    checkSchemas(events);
    const last = events[events.length - 1];
    expect(last.type).toBe('response.completed');
    expect(last.response.status).toBe('incomplete');
    expect(last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('creates the response even when the first canonical event is not start, and closes blocks left open', () => {
    const events = run([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'hi' },
      { type: 'stop', stopReason: 'end_turn' },
      { type: 'end' },
    ]).events;
    checkSchemas(events);
    expect(types(events).slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types(events).slice(-2)).toEqual(['response.output_item.done', 'response.completed']);
    expect(events[events.length - 1].response.output[0].content[0].text).toBe('hi');
  });

  it('error() ends with an error event and response.failed, never response.completed', () => {
    const fail = new GatewayError('upstream_error', 'upstream stream failed: connection reset');
    const { events, sse } = run(textStream.slice(0, 3), ctx(), fail);
    checkSchemas(events);
    expect(types(events).slice(-2)).toEqual(['error', 'response.failed']);
    expect(sse).not.toContain('response.completed');
    expect(events[events.length - 2]).toMatchObject({
      code: 'upstream_error',
      message: fail.message,
      param: null,
    });
    const failed = events[events.length - 1].response;
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: 'server_error', message: fail.message });
    expect(failed.output).toEqual([]); // the half-written message was never done

    // After error(), nothing more comes out, even a proper end.
    const enc = dialect.streamEncoder(ctx());
    enc.event(textStream[0]);
    expect(enc.error(fail)).toContain('response.failed');
    expect(enc.event({ type: 'end' })).toBe('');
    expect(enc.error(fail)).toBe('');
  });

  it('error() on a fresh encoder (passthrough streams) does not emit a second response.created', () => {
    const rate = new GatewayError('rate_limit', 'Rate limit reached.', { retryAfterS: 7 });
    const { events } = run([], ctx(), rate);
    expect(types(events)).toEqual(['error', 'response.failed']);
    checkSchemas(events);
    expect(events[1].response.error).toEqual({
      code: 'rate_limit_exceeded',
      message: 'Rate limit reached. Please try again in 7s.',
    });

    // Codex recognises context_length_exceeded (not in the published enum, so not schema-checked).
    const ctxErr = run([], ctx(), new GatewayError('context_window_exceeded', 'too long')).events;
    expect(ctxErr[1].response.error.code).toBe('context_length_exceeded');
  });

  it('is accepted by the openai SDK responses.stream() helper', async () => {
    const { sse } = run(
      toolStream.slice(0, 6).concat(textStream.slice(1, 5).map(shift(1)), textStream.slice(5)),
    );
    const client = new OpenAI({
      apiKey: 'test',
      baseURL: 'http://gateway.invalid/v1',
      maxRetries: 0,
      fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const stream = client.responses.stream({ model: 'code', input: 'hi' });
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Hello there');
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
  });
});

function shift(by: number): (ev: CanonicalEvent) => CanonicalEvent {
  return (ev) => ('index' in ev ? { ...ev, index: ev.index + by } : ev) as CanonicalEvent;
}
