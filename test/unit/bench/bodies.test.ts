import { describe, expect, it } from 'vitest';
import { messagesToChat, messagesToResponses, requestBody } from '../../../bench/lib/bodies.mjs';
import { category } from '../../../bench/lib/profile.mjs';

describe('bench request bodies', () => {
  it('builds the ~100 KB bodies of every dialect from the Claude Code fixture', () => {
    for (const d of ['chat', 'messages', 'responses'] as const) {
      const text = requestBody(d, 'large', true, 'alias');
      expect(text.length).toBeGreaterThan(90_000);
      const body = JSON.parse(text);
      expect(body.model).toBe('alias');
      expect(body.stream).toBe(true);
    }
  });

  it('grows the conversation past 1 MB with fresh tool ids, roles still alternating', () => {
    const body = JSON.parse(requestBody('messages', 'huge', false, 'alias'));
    expect(JSON.stringify(body).length).toBeGreaterThan(1_000_000);
    const ids = body.messages.flatMap((m: { content: unknown }) =>
      Array.isArray(m.content)
        ? m.content.filter((b: { type: string }) => b.type === 'tool_use').map((b: { id: string }) => b.id)
        : [],
    );
    expect(new Set(ids).size).toBe(ids.length);
    const roles = body.messages.slice(2).map((m: { role: string }) => m.role);
    for (let i = 1; i < roles.length; i++) expect(roles[i]).not.toBe(roles[i - 1]);
    expect(JSON.parse(requestBody('chat', 'huge', true, 'alias')).stream).toBe(true);
  });

  it('maps Messages tool use and results onto Chat tool calls and Responses items', () => {
    const m = {
      model: 'x',
      system: [{ type: 'text', text: 'sys' }],
      tools: [{ name: 'Read', description: 'read', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { p: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'data' }] },
      ],
    };
    const chat = messagesToChat(m);
    expect(chat.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'Read', arguments: '{"p":1}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: 'data' },
    ]);
    const resp = messagesToResponses(m);
    expect(resp.instructions).toBe('sys');
    expect(resp.input.map((i: { type: string }) => i.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
    ]);
  });

  it('files profile samples under the area they belong to', () => {
    expect(category('', '(garbage collector)')).toBe('GC');
    expect(category('file:///w/node_modules/undici/lib/core/util.js', 'x')).toBe('undici');
    expect(category('file:///w/dist/gateway/router/dispatch.js', 'dispatch')).toBe(
      'agentbox: gateway/router/dispatch',
    );
    expect(category('node:internal/streams/readable', 'read')).toBe('node: streams');
  });
});
