import { describe, expect, it } from 'vitest';
import { parseAnthropicResponse } from '../../../../../src/gateway/providers/anthropic/response.js';
import { GatewayError } from '../../../../../src/gateway/errors.js';

const MESSAGE = {
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'Let me think.', signature: 'EqQBsig' },
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' },
    { type: 'text', text: 'I will add them.' },
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
    { type: 'tool_use', id: 'toolu_01A', name: 'mcp__mini__add', input: { a: 2, b: 40 } },
    {
      type: 'tool_use',
      id: 'toolu_01B',
      name: 'apply_patch',
      input: { input: '*** Begin Patch\n*** End Patch' },
    },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 12,
    output_tokens: 80,
    cache_read_input_tokens: 3000,
    cache_creation_input_tokens: 500,
  },
};

const TOOLS = {
  tools: [
    { name: 'add', namespace: 'mcp__mini', kind: 'function' as const },
    { name: 'apply_patch', kind: 'custom' as const },
  ],
};

describe('Anthropic response → canonical', () => {
  it('reads text, tool_use, thinking, redacted thinking, stop reason and cache usage', () => {
    const res = parseAnthropicResponse(MESSAGE, TOOLS);
    expect(res).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'thinking', text: 'Let me think.', signature: 'EqQBsig' },
        { type: 'thinking', text: '', redacted: 'EmwKAhgBEgy3va' },
        { type: 'text', text: 'I will add them.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'add', namespace: 'mcp__mini', input: { a: 2, b: 40 } },
        {
          type: 'tool_use',
          id: 'toolu_01B',
          name: 'apply_patch',
          kind: 'custom',
          input: '*** Begin Patch\n*** End Patch',
        },
      ],
      stopReason: 'tool_use',
      stopSequence: null,
      usage: { inputTokens: 12, outputTokens: 80, cacheReadTokens: 3000, cacheWriteTokens: 500 },
    });
  });

  it('keeps wire names when it does not know the request', () => {
    const res = parseAnthropicResponse(MESSAGE);
    const names = res.content.flatMap((b) => (b.type === 'tool_use' ? [b.name] : []));
    expect(names).toEqual(['mcp__mini__add', 'apply_patch']);
  });

  it('tolerates missing usage and content, and reports a stop sequence', () => {
    const res = parseAnthropicResponse({ id: 'msg_1', stop_reason: 'stop_sequence', stop_sequence: '###' });
    expect(res).toEqual({
      id: 'msg_1',
      model: '',
      content: [],
      stopReason: 'stop_sequence',
      stopSequence: '###',
    });
  });

  it('refuses a body that is not an object', () => {
    expect(() => parseAnthropicResponse('nope')).toThrow(GatewayError);
    expect(() => parseAnthropicResponse([1])).toThrow(/not a JSON object/);
  });
});
