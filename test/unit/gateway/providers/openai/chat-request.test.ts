import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../../../src/gateway/canonical.js';
import { createChatCodec } from '../../../../../src/gateway/providers/openai/chat-codec.js';
import { stripSchemaKeyword } from '../../../../../src/gateway/providers/openai/chat-request.js';
import { validateOpenAI } from '../../../../helpers/openai-schema.js';
import { deployment, request } from './helpers.js';
import { createParamSink } from '../../../../../src/gateway/params/sink.js';

const openai = createChatCodec('openai');
const compat = createChatCodec('openai_compatible');

/** A conversation with everything Claude Code and Codex put in a canonical request. */
const conversation: CanonicalRequest = request({
  model: 'claude-sonnet-4-5',
  system: [
    { type: 'text', text: 'You are a Claude agent.' },
    { type: 'text', text: 'Main prompt.' },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>date</system-reminder>' },
        { type: 'text', text: 'read a.txt and add 2+40' },
      ],
    },
    { role: 'system', content: [{ type: 'text', text: 'Available agent types' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'secret chain', signature: 'sig' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a.txt' } },
        { type: 'tool_use', id: 'call_2', name: 'add', namespace: 'mcp__mini', input: { a: 2, b: 40 } },
        {
          type: 'tool_use',
          id: 'call_3',
          name: 'apply_patch',
          kind: 'custom',
          input: '*** Begin Patch\n*** End Patch',
        },
      ],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          toolUseId: 'toolu_1',
          content: [
            { type: 'text', text: 'line 1' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'line 2' },
          ],
        },
        { type: 'tool_result', toolUseId: 'call_2', content: '42' },
        { type: 'tool_result', toolUseId: 'call_3', content: 'Done!', kind: 'custom' },
        { type: 'text', text: 'thanks' },
      ],
    },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_4', name: 'noargs', input: {} }] },
    {
      role: 'user',
      content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } }],
    },
  ],
  tools: [
    {
      name: 'Read',
      description: 'Read a file',
      kind: 'function',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { file_path: { type: 'string' } },
      },
    },
    {
      name: 'add',
      namespace: 'mcp__mini',
      kind: 'function',
      inputSchema: { type: 'object', properties: { a: { type: 'number' } } },
    },
    { name: 'apply_patch', description: 'Patch files', kind: 'custom', format: { type: 'grammar' } },
  ],
  toolChoice: { type: 'auto' },
  parallelToolCalls: true,
  maxTokens: 64000,
  temperature: 0.5,
  topP: 0.9,
  stop: ['END'],
  reasoning: { effort: 'high' },
  user: 'u-1',
  stream: true,
});

describe('chat buildRequest', () => {
  it('maps messages: system first and in place, tool results as tool messages, thinking dropped', () => {
    const body = compat.buildRequest(
      conversation,
      deployment({ model: 'llama-3.3-70b' }, { type: 'openai_compatible' }),
    );
    expect(body.model).toBe('llama-3.3-70b');
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are a Claude agent.\n\nMain prompt.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>date</system-reminder>' },
          { type: 'text', text: 'read a.txt and add 2+40' },
        ],
      },
      { role: 'system', content: 'Available agent types' },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'Read', arguments: '{"file_path":"/a.txt"}' },
          },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'mcp__mini__add', arguments: '{"a":2,"b":40}' },
          },
          {
            id: 'call_3',
            type: 'function',
            function: {
              name: 'apply_patch',
              arguments: JSON.stringify({ input: '*** Begin Patch\n*** End Patch' }),
            },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'line 1\nline 2' },
      { role: 'tool', tool_call_id: 'call_2', content: '42' },
      { role: 'tool', tool_call_id: 'call_3', content: 'Done!' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'text', text: 'thanks' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_4', type: 'function', function: { name: 'noargs', arguments: '{}' } }],
      },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
    ]);
    expect(JSON.stringify(body)).not.toContain('secret chain');
  });

  it('declares tools as functions: $schema stripped, namespaces flattened, custom tools take one string', () => {
    const body = compat.buildRequest(conversation, deployment({}, { type: 'openai_compatible' }));
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'Read',
          description: 'Read a file',
          parameters: { type: 'object', properties: { file_path: { type: 'string' } } },
        },
      },
      {
        type: 'function',
        function: {
          name: 'mcp__mini__add',
          parameters: { type: 'object', properties: { a: { type: 'number' } } },
        },
      },
      {
        type: 'function',
        function: {
          name: 'apply_patch',
          description: 'Patch files',
          parameters: {
            type: 'object',
            properties: { input: { type: 'string', description: 'The raw input for this tool.' } },
            required: ['input'],
            additionalProperties: false,
          },
        },
      },
    ]);
    expect(body.tool_choice).toBe('auto');
    expect(body.parallel_tool_calls).toBe(true);
    // the request's own schema object is not modified
    expect(conversation.tools![0].inputSchema!.$schema).toBeDefined();
  });

  it('sets sampling, stop, user and always asks for usage when streaming', () => {
    const body = compat.buildRequest(conversation, deployment({}, { type: 'openai_compatible' }));
    expect(body).toMatchObject({
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(body.max_tokens).toBe(64000);
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(body).not.toHaveProperty('reasoning_effort');
    const plain = compat.buildRequest(request({ stream: false }), deployment());
    expect(plain.stream).toBe(false);
    expect(plain).not.toHaveProperty('stream_options');
  });

  it('for OpenAI: max_completion_tokens clamped to the deployment, reasoning_effort for reasoning models only', () => {
    const od = deployment({ model: 'o4-mini', maxTokens: 16384 });
    // Reasoning models take only the default temperature and top_p: refused, or dropped under drop_params.
    expect(() => openai.buildRequest(conversation, od)).toThrow(
      /temperature .*o4-mini accepts only the default/,
    );
    const sink = createParamSink(od, true);
    const o = openai.buildRequest(conversation, od, sink);
    expect(sink.dropped).toEqual(['temperature', 'top_p']);
    expect(o.max_completion_tokens).toBe(16384);
    expect(o).not.toHaveProperty('max_tokens');
    expect(o.reasoning_effort).toBe('high');
    expect(o).not.toHaveProperty('temperature');
    expect(o).not.toHaveProperty('top_p');
    const gd = deployment({ model: 'gpt-4o' });
    // A model known to take no reasoning_effort refuses an explicit request for reasoning.
    expect(() => openai.buildRequest(conversation, gd)).toThrow(/reasoning_effort .*gpt-4o takes no/);
    const gSink = createParamSink(gd, true);
    const g = openai.buildRequest(conversation, gd, gSink);
    expect(gSink.dropped).toEqual(['reasoning_effort']);
    expect(g).not.toHaveProperty('reasoning_effort');
    const implicit = { ...conversation, reasoning: { effort: 'high' as const, implicit: true } };
    expect(openai.buildRequest(implicit, gd)).not.toHaveProperty('reasoning_effort');
    expect(g.temperature).toBe(0.5);
    expect(g.max_completion_tokens).toBe(64000);
  });

  it('sends tool_choice and parallel_tool_calls only with tools, and maps a named choice', () => {
    const none = compat.buildRequest(
      request({ toolChoice: { type: 'auto' }, parallelToolCalls: false }),
      deployment(),
    );
    expect(none).not.toHaveProperty('tool_choice');
    expect(none).not.toHaveProperty('parallel_tool_calls');
    const named = compat.buildRequest(
      request({
        tools: conversation.tools,
        toolChoice: { type: 'tool', name: 'add', namespace: 'mcp__mini' },
      }),
      deployment(),
    );
    expect(named.tool_choice).toEqual({ type: 'function', function: { name: 'mcp__mini__add' } });
  });

  it('merges openaiExtra and deployment params under the request', () => {
    const body = compat.buildRequest(
      request({ temperature: 0.1, openaiExtra: { seed: 7, response_format: { type: 'json_object' } } }),
      deployment(
        { params: { temperature: 0.9, top_p: 0.5, max_completion_tokens: 100, seed: 1 } },
        { type: 'openai_compatible' },
      ),
    );
    expect(body).toMatchObject({
      temperature: 0.1,
      top_p: 0.5,
      seed: 7,
      response_format: { type: 'json_object' },
    });
    expect(body.max_completion_tokens).toBe(100);
    const withMax = compat.buildRequest(
      request({ maxTokens: 50 }),
      deployment({ params: { max_completion_tokens: 100 } }),
    );
    expect(withMax).toEqual(expect.objectContaining({ max_tokens: 50 }));
    expect(withMax).not.toHaveProperty('max_completion_tokens');
  });

  it('produces a body valid against CreateChatCompletionRequest', () => {
    const od = deployment({ model: 'o4-mini' });
    const body = openai.buildRequest(conversation, od, createParamSink(od, true));
    expect(validateOpenAI('CreateChatCompletionRequest', body)).toEqual([]);
  });
});

describe('stripSchemaKeyword', () => {
  it('removes $schema from the schema and nested sub-schemas, keeps a property named $schema', () => {
    const schema = {
      $schema: 'x',
      type: 'object',
      properties: {
        $schema: { type: 'string' },
        nested: { $schema: 'y', type: 'object' },
        list: { type: 'array', items: { $schema: 'z' } },
      },
      anyOf: [{ $schema: 'w', type: 'object' }],
    };
    expect(stripSchemaKeyword(schema)).toEqual({
      type: 'object',
      properties: {
        $schema: { type: 'string' },
        nested: { type: 'object' },
        list: { type: 'array', items: {} },
      },
      anyOf: [{ type: 'object' }],
    });
    expect(schema.$schema).toBe('x');
  });
  it('returns the same object when there is nothing to strip', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(stripSchemaKeyword(schema)).toBe(schema);
  });
});
