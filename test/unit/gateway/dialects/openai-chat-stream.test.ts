import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../src/gateway/canonical.js';
import { isUsageOnlyChunk, openaiChatDialect } from '../../../../src/gateway/dialects/openai-chat.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import { SseDecoder } from '../../../../src/gateway/upstream/sse.js';
import { validateOpenAI } from '../../../helpers/openai-schema.js';

const ctx = { model: 'default', requestId: 'req_9', created: 1741570283 };

const toolTurn: CanonicalEvent[] = [
  {
    type: 'start',
    id: 'msg_01',
    model: 'claude-sonnet-4-5',
    usage: { inputTokens: 50, cacheReadTokens: 900 },
  },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'Plan.' },
  { type: 'signature_delta', index: 0, signature: 'sig' },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'Checking ' },
  { type: 'text_delta', index: 1, text: 'both.' },
  { type: 'block_stop', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather' } },
  { type: 'tool_input_delta', index: 2, partial: '{"city":' },
  { type: 'tool_input_delta', index: 2, partial: '"Paris"}' },
  { type: 'block_stop', index: 2 },
  {
    type: 'block_start',
    index: 3,
    block: { type: 'tool_use', id: 'toolu_b', name: 'add', namespace: 'mcp__mini' },
  },
  { type: 'tool_input_delta', index: 3, partial: '{"a":2,"b":40}' },
  { type: 'block_stop', index: 3 },
  {
    type: 'block_start',
    index: 4,
    block: { type: 'tool_use', id: 'toolu_c', name: 'apply_patch', kind: 'custom' },
  },
  { type: 'tool_input_delta', index: 4, partial: '*** Begin "Patch"\n' },
  { type: 'tool_input_delta', index: 4, partial: '*** End Patch' },
  { type: 'block_stop', index: 4 },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'usage', usage: { outputTokens: 33 } },
  { type: 'end' },
];

function encode(events: CanonicalEvent[], includeUsage: boolean): string {
  const enc = openaiChatDialect.streamEncoder({ ...ctx, includeUsage });
  return events.map((e) => enc.event(e)).join('');
}

function dataOf(sse: string): string[] {
  return new SseDecoder().push(sse).map((e) => e.data);
}

type Chunk = {
  id: string;
  choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, unknown>;
};

describe('openai-chat streamEncoder', () => {
  it('emits data-only chunks valid against CreateChatCompletionStreamResponse, then [DONE]', () => {
    const text = encode(toolTurn, true);
    expect(text).not.toMatch(/^event:/m);
    const data = dataOf(text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    for (const c of chunks)
      expect(validateOpenAI('CreateChatCompletionStreamResponse', c), JSON.stringify(c)).toEqual([]);
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-req_9']));
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    // nothing else carries a role
    expect(chunks.slice(1).some((c) => c.choices[0]?.delta.role !== undefined)).toBe(false);

    const deltas = chunks.filter((c) => c.choices.length > 0).map((c) => c.choices[0].delta);
    expect(
      deltas
        .filter((d) => d.reasoning_content)
        .map((d) => d.reasoning_content)
        .join(''),
    ).toBe('Plan.');
    expect(
      deltas
        .filter((d) => d.content)
        .map((d) => d.content)
        .join(''),
    ).toBe('Checking both.');

    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for (const d of deltas) {
      for (const tc of (d.tool_calls as Array<{
        index: number;
        id?: string;
        function: { name?: string; arguments?: string };
      }>) ?? []) {
        const c = calls.get(tc.index) ?? { args: '' };
        if (tc.id) c.id = tc.id;
        if (tc.function.name) c.name = tc.function.name;
        c.args += tc.function.arguments ?? '';
        calls.set(tc.index, c);
      }
    }
    expect([...calls.entries()]).toEqual([
      [0, { id: 'toolu_a', name: 'get_weather', args: '{"city":"Paris"}' }],
      [1, { id: 'toolu_b', name: 'mcp__mini__add', args: '{"a":2,"b":40}' }],
      [
        2,
        {
          id: 'toolu_c',
          name: 'apply_patch',
          args: JSON.stringify({ input: '*** Begin "Patch"\n*** End Patch' }),
        },
      ],
    ]);

    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['tool_calls']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: 950,
      completion_tokens: 33,
      total_tokens: 983,
      prompt_tokens_details: { cached_tokens: 900 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('sends the usage chunk only when the client asked for it', () => {
    const chunks = dataOf(encode(toolTurn, false));
    expect(chunks.at(-1)).toBe('[DONE]');
    expect(chunks.some((d) => d.includes('"usage"'))).toBe(false);
  });

  it('always ends with a finish_reason, even when the upstream sent no stop', () => {
    const data = dataOf(
      encode(
        [
          { type: 'start', id: 'x', model: 'm' },
          { type: 'text_delta', index: 0, text: 'hi' },
          { type: 'end' },
        ],
        false,
      ),
    );
    const finish = data
      .slice(0, -1)
      .map((d) => JSON.parse(d) as Chunk)
      .filter((c) => c.choices[0].finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
  });

  it('puts the role on the first chunk when no start event came', () => {
    const first = JSON.parse(
      dataOf(encode([{ type: 'text_delta', index: 0, text: 'hi' }], false))[0],
    ) as Chunk;
    expect(first.choices[0].delta).toEqual({ role: 'assistant', content: 'hi' });
  });

  it('error() writes one OpenAI error event and nothing after it, never [DONE]', () => {
    const enc = openaiChatDialect.streamEncoder({ ...ctx, includeUsage: true });
    let out = enc.event(toolTurn[0]) + enc.event({ type: 'text_delta', index: 0, text: 'partial' });
    const err = enc.error(new GatewayError('upstream_error', 'upstream connection reset'));
    out +=
      err +
      enc.event({ type: 'stop', stopReason: 'end_turn' }) +
      enc.event({ type: 'end' }) +
      enc.error(new GatewayError('timeout', 'again'));
    expect(out).not.toContain('[DONE]');
    const data = dataOf(out);
    expect(JSON.parse(data.at(-1)!)).toEqual({
      error: { message: 'upstream connection reset', type: 'api_error', param: null, code: 'upstream_error' },
    });
    expect(validateOpenAI('ErrorResponse', JSON.parse(data.at(-1)!))).toEqual([]);
    expect(data).toHaveLength(3);
  });

  it('an upstream error event also ends the stream without [DONE]', () => {
    const out = encode(
      [toolTurn[0], { type: 'error', message: 'overloaded', errorType: 'overloaded_error' }, { type: 'end' }],
      true,
    );
    expect(out).not.toContain('[DONE]');
    expect(JSON.parse(dataOf(out).at(-1)!)).toMatchObject({
      error: { message: 'overloaded', type: 'overloaded_error' },
    });
  });
});

describe('isUsageOnlyChunk', () => {
  it('matches only the choices-empty usage chunk', () => {
    expect(isUsageOnlyChunk({ data: '{"id":"x","choices":[],"usage":{"prompt_tokens":1}}' })).toBe(true);
    expect(isUsageOnlyChunk({ data: '{"id":"x","choices": [ ],"usage":{"prompt_tokens":1}}' })).toBe(true);
    expect(isUsageOnlyChunk({ data: '{"id":"x","choices":[{"index":0,"delta":{}}],"usage":null}' })).toBe(
      false,
    );
    expect(isUsageOnlyChunk({ data: '{"id":"x","choices":[],"usage":null}' })).toBe(false);
    expect(isUsageOnlyChunk({ data: '[DONE]' })).toBe(false);
  });
});
