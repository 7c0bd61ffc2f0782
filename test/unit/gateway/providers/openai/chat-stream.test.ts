import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../../src/gateway/canonical.js';
import { createChatCodec } from '../../../../../src/gateway/providers/openai/chat-codec.js';
import { fixture, parseAll, request, sseEvents } from './helpers.js';

const codec = createChatCodec('openai');
const mcpRequest = request({
  tools: [
    { name: 'add', namespace: 'mcp__mini', kind: 'function' },
    { name: 'get_weather', kind: 'function' },
  ],
});

const TEXT_EVENTS: CanonicalEvent[] = [
  { type: 'start', id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG', model: 'gpt-4o-2024-08-06' },
  { type: 'block_start', index: 0, block: { type: 'text' } },
  { type: 'text_delta', index: 0, text: 'Bonjour' },
  { type: 'text_delta', index: 0, text: ' 👋, ça' },
  { type: 'text_delta', index: 0, text: ' va?' },
  { type: 'block_stop', index: 0 },
  { type: 'stop', stopReason: 'end_turn' },
  { type: 'usage', usage: { inputTokens: 93, outputTokens: 46, cacheReadTokens: 1024, reasoningTokens: 0 } },
  { type: 'end' },
];

const TOOL_EVENTS: CanonicalEvent[] = [
  { type: 'start', id: 'chatcmpl-B9MHEqAq1XrvRmcgwhq7W2r7MpNnX', model: 'gpt-4o-2024-08-06' },
  {
    type: 'block_start',
    index: 0,
    block: { type: 'tool_use', id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather' },
  },
  { type: 'tool_input_delta', index: 0, partial: '{"ci' },
  { type: 'tool_input_delta', index: 0, partial: 'ty": "Paris"}' },
  { type: 'block_stop', index: 0 },
  {
    type: 'block_start',
    index: 1,
    block: { type: 'tool_use', id: 'call_ABMLnkT4ZtRm1vgFq3dEj2sF', name: 'add', namespace: 'mcp__mini' },
  },
  { type: 'tool_input_delta', index: 1, partial: '{"a": 2, ' },
  { type: 'tool_input_delta', index: 1, partial: '"b": 40}' },
  { type: 'block_stop', index: 1 },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'usage', usage: { inputTokens: 128, outputTokens: 61, cacheReadTokens: 1920, reasoningTokens: 0 } },
  { type: 'end' },
];

describe('chat streamParser', () => {
  for (const [name, expected] of [
    ['text-stream.sse', TEXT_EVENTS],
    ['tool-stream.sse', TOOL_EVENTS],
  ] as const) {
    it(`${name}: the same canonical events for every split of the bytes`, () => {
      const bytes = Buffer.from(fixture(name), 'utf8');
      expect(parseAll(codec.streamParser(mcpRequest), sseEvents(bytes))).toEqual(expected);
      for (let i = 1; i < bytes.length; i++) {
        expect(parseAll(codec.streamParser(mcpRequest), sseEvents(bytes, [i])), `split at ${i}`).toEqual(
          expected,
        );
      }
    });
  }

  it('opens a thinking block for reasoning deltas, then a text block', () => {
    const parse = codec.streamParser();
    const events = [
      {
        id: 'c1',
        model: 'deepseek-reasoner',
        choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Let me ' } }],
      },
      { id: 'c1', choices: [{ index: 0, delta: { reasoning_content: 'think.' } }] },
      { id: 'c1', choices: [{ index: 0, delta: { content: 'Answer', reasoning_content: null } }] },
      { id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
    ].flatMap((c) => parse({ data: JSON.stringify(c) }));
    expect(events).toEqual([
      { type: 'start', id: 'c1', model: 'deepseek-reasoner' },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'Let me ' },
      { type: 'thinking_delta', index: 0, text: 'think.' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Answer' },
      { type: 'block_stop', index: 1 },
      { type: 'stop', stopReason: 'max_tokens' },
    ]);
  });

  it('unwraps custom tool input when the block closes', () => {
    const parse = codec.streamParser(request({ tools: [{ name: 'apply_patch', kind: 'custom' }] }));
    const chunks = [
      {
        id: 'c',
        model: 'm',
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id: 'call_p', function: { name: 'apply_patch', arguments: '{"inp' } }],
            },
          },
        ],
      },
      {
        id: 'c',
        model: 'm',
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ut":"*** Begin\\n"}' } }] } },
        ],
      },
      { id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ];
    const events = chunks.flatMap((c) => parse({ data: JSON.stringify(c) }));
    expect(events.slice(1)).toEqual([
      {
        type: 'block_start',
        index: 0,
        block: { type: 'tool_use', id: 'call_p', name: 'apply_patch', kind: 'custom' },
      },
      { type: 'tool_input_delta', index: 0, partial: '*** Begin\n' },
      { type: 'block_stop', index: 0 },
      { type: 'stop', stopReason: 'tool_use' },
    ]);
  });

  it('reports error chunks and malformed JSON as error events', () => {
    expect(
      codec.streamParser()({ data: '{"error":{"message":"overloaded","type":"server_error","code":503}}' }),
    ).toEqual([{ type: 'error', message: 'overloaded', errorType: 'server_error', status: 503 }]);
    expect(codec.streamParser()({ data: '{"id": "x", "choi' })[0]).toMatchObject({ type: 'error' });
  });

  it('closes an open block at [DONE] when no finish_reason came', () => {
    const parse = codec.streamParser();
    parse({
      data: JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'x' } }] }),
    });
    expect(parse({ data: '[DONE]' })).toEqual([{ type: 'block_stop', index: 0 }, { type: 'end' }]);
  });

  it('starts a new tool block when a call with a new id reuses an index', () => {
    const parse = codec.streamParser();
    const a = {
      id: 'c',
      model: 'm',
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'x', arguments: '{}' } }] },
        },
      ],
    };
    const b = {
      id: 'c',
      model: 'm',
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'b', function: { name: 'y', arguments: '{}' } }] },
        },
      ],
    };
    const events = [a, b].flatMap((c) => parse({ data: JSON.stringify(c) }));
    expect(
      events.filter((e) => e.type === 'block_start').map((e) => e.type === 'block_start' && e.index),
    ).toEqual([0, 1]);
  });
});
