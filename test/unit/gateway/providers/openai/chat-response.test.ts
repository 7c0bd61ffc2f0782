import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../../src/gateway/errors.js';
import { createChatCodec } from '../../../../../src/gateway/providers/openai/chat-codec.js';
import { request } from './helpers.js';

const codec = createChatCodec('openai');

function completion(
  message: Record<string, unknown>,
  finish: string | null = 'stop',
  usage?: unknown,
): Record<string, unknown> {
  return {
    id: 'chatcmpl-abc',
    object: 'chat.completion',
    created: 1741570283,
    model: 'gpt-4o-2024-08-06',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', refusal: null, ...message },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

const tools = request({
  tools: [
    { name: 'add', namespace: 'mcp__mini', kind: 'function', inputSchema: { type: 'object' } },
    { name: 'apply_patch', kind: 'custom' },
    { name: 'Read', kind: 'function' },
  ],
});

describe('chat parseResponse', () => {
  it('reads text, reasoning and usage (input excludes cached tokens)', () => {
    const res = codec.parseResponse(
      completion({ content: 'Hello!', reasoning_content: 'thinking…' }, 'stop', {
        prompt_tokens: 1117,
        completion_tokens: 46,
        total_tokens: 1163,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
    );
    expect(res).toEqual({
      id: 'chatcmpl-abc',
      model: 'gpt-4o-2024-08-06',
      content: [
        { type: 'thinking', text: 'thinking…' },
        { type: 'text', text: 'Hello!' },
      ],
      stopReason: 'end_turn',
      usage: { inputTokens: 93, outputTokens: 46, cacheReadTokens: 1024, reasoningTokens: 12 },
    });
  });

  it('reads `reasoning` (vLLM, Ollama) as thinking too', () => {
    expect(codec.parseResponse(completion({ content: 'x', reasoning: 'hmm' })).content[0]).toEqual({
      type: 'thinking',
      text: 'hmm',
    });
  });

  it('parses tool calls, splitting namespaced and custom tools of the request back', () => {
    const body = completion(
      {
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'mcp__mini__add', arguments: '{"a":2,"b":40}' },
          },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' },
          },
          { id: 'call_3', type: 'function', function: { name: 'Read', arguments: '' } },
          { id: 'call_4', type: 'function', function: { name: 'other__tool', arguments: '{not json' } },
        ],
      },
      'tool_calls',
    );
    const res = codec.parseResponse(body, tools);
    expect(res.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'add', namespace: 'mcp__mini', input: { a: 2, b: 40 } },
      { type: 'tool_use', id: 'call_2', name: 'apply_patch', kind: 'custom', input: '*** Begin Patch' },
      { type: 'tool_use', id: 'call_3', name: 'Read', input: {} },
      { type: 'tool_use', id: 'call_4', name: 'other__tool', input: '{not json' },
    ]);
    expect(res.stopReason).toBe('tool_use');
    // without the request, names stay as sent
    expect(codec.parseResponse(body).content[0]).toMatchObject({ name: 'mcp__mini__add' });
  });

  it('maps finish reasons', () => {
    const table: Array<[string | null, string | null]> = [
      ['stop', 'end_turn'],
      ['length', 'max_tokens'],
      ['tool_calls', 'tool_use'],
      ['function_call', 'tool_use'],
      ['content_filter', 'content_filter'],
      [null, null],
    ];
    for (const [finish, stop] of table)
      expect(codec.parseResponse(completion({ content: 'x' }, finish)).stopReason).toBe(stop);
  });

  it('treats tool calls with finish_reason "stop" (some compatible servers) as tool_use', () => {
    const body = completion(
      {
        content: '',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'Read', arguments: '{}' } }],
      },
      'stop',
    );
    expect(codec.parseResponse(body).stopReason).toBe('tool_use');
  });

  it('keeps a refusal as text with stop reason refusal', () => {
    const res = codec.parseResponse(completion({ content: null, refusal: 'I cannot help.' }));
    expect(res.content).toEqual([{ type: 'text', text: 'I cannot help.' }]);
    expect(res.stopReason).toBe('refusal');
  });

  it('throws an upstream_error for bodies without choices or with an error', () => {
    expect(() => codec.parseResponse({ error: { message: 'boom' } })).toThrow(GatewayError);
    expect(() => codec.parseResponse({ error: { message: 'boom' } })).toThrow('boom');
    expect(() => codec.parseResponse({ id: 'x', choices: [] })).toThrow(/no choices/);
    expect(() => codec.parseResponse('nope')).toThrow(GatewayError);
  });
});
