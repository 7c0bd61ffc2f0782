import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, ContentBlock } from '../../../../src/gateway/canonical.js';
import { openaiResponsesDialect as dialect } from '../../../../src/gateway/dialects/openai-responses.js';
import { GatewayError } from '../../../../src/gateway/errors.js';

type Json = Record<string, any>;

function fixture(name: string): Json {
  const url = new URL(`../../../fixtures/responses/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { body: Json }).body;
}

function decode(body: Json): CanonicalRequest {
  dialect.validate(body);
  return dialect.decodeRequest(body);
}

function rejects(body: unknown, pattern: RegExp, param?: string): void {
  let err: unknown;
  try {
    dialect.validate(body);
    dialect.decodeRequest(body as Json);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GatewayError);
  const g = err as GatewayError;
  expect(g.code).toBe('invalid_request');
  expect(g.status).toBe(400);
  expect(g.message).toMatch(pattern);
  if (param !== undefined) expect(g.param).toBe(param);
}

const blockTypes = (content: ContentBlock[]): string[] => content.map((b) => b.type);

describe('openaiResponsesDialect.validate', () => {
  it('accepts the Codex body and reports model and stream', () => {
    expect(dialect.validate(fixture('codex-text'))).toEqual({ model: 'mock-model', stream: true });
    expect(dialect.validate({ model: 'm', input: 'hi' })).toEqual({ model: 'm', stream: false });
  });

  it('rejects what is not a Responses request', () => {
    rejects([], /JSON object/);
    rejects(null, /JSON object/);
    rejects({ input: 'x' }, /model/, 'model');
    rejects({ model: '', input: 'x' }, /model/, 'model');
    rejects({ model: 'm' }, /input/, 'input');
    rejects({ model: 'm', input: 42 }, /input/, 'input');
    rejects({ model: 'm', input: 'x', stream: 'yes' }, /stream/, 'stream');
  });
});

describe('decodeRequest on real Codex bodies', () => {
  it('keeps developer messages as system messages in place, merged, and the user turn after them', () => {
    const req = decode(fixture('codex-text'));
    expect(req.model).toBe('mock-model');
    expect(req.stream).toBe(true);
    expect(req.system).toEqual([]);
    // developer (1 part), developer (2 parts), user, user → one system message, one user message
    expect(req.messages.map((m) => [m.role, m.content.length])).toEqual([
      ['system', 3],
      ['user', 2],
    ]);
    const sys = req.messages[0].content[0];
    expect(sys.type === 'text' && sys.text.startsWith('You are a coding agent')).toBe(true);
    const prompt = req.messages[1].content[1];
    expect(prompt).toEqual({ type: 'text', text: 'say hi' });
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.parallelToolCalls).toBe(true);
    expect(req.reasoning).toBeUndefined(); // {summary: 'auto'} carries no effort
  });

  it('flattens namespaces into tools that keep their namespace and drops hosted tools', () => {
    const body = fixture('codex-mcp-round');
    const req = decode(body);
    const tools = req.tools ?? [];
    expect(tools.find((t) => t.name === 'add')).toMatchObject({
      namespace: 'mcp__mini',
      kind: 'function',
      description: 'Add two numbers',
      inputSchema: { type: 'object', required: ['a', 'b'] },
    });
    expect(tools.find((t) => t.name === 'echo')?.namespace).toBe('mcp__mini');
    expect(tools.filter((t) => t.namespace === 'multi_agent_v1').length).toBeGreaterThan(0);
    expect(tools.find((t) => t.name === 'exec_command')?.namespace).toBeUndefined();
    // 1 web_search dropped; every function tool (top-level or nested) kept
    const expected = (body.tools as Json[]).reduce(
      (n, t) => n + (t.type === 'function' ? 1 : t.type === 'namespace' ? t.tools.length : 0),
      0,
    );
    expect(tools.length).toBe(expected);
    expect(tools.every((t) => t.kind === 'function')).toBe(true);
  });

  it('decodes an MCP function_call round: namespace kept, arguments parsed, array output as text blocks', () => {
    const req = decode(fixture('codex-mcp-round'));
    const [assistant, user] = req.messages.slice(-2);
    expect(assistant.role).toBe('assistant');
    expect(assistant.content).toEqual([
      {
        type: 'tool_use',
        id: 'call_mock_bc4aacd7cf1b1a19f4f96c79',
        name: 'add',
        namespace: 'mcp__mini',
        input: { a: 2, b: 40 },
        kind: 'function',
      },
    ]);
    expect(user.role).toBe('user');
    expect(user.content).toEqual([
      {
        type: 'tool_result',
        toolUseId: 'call_mock_bc4aacd7cf1b1a19f4f96c79',
        kind: 'function',
        content: [
          { type: 'text', text: 'Wall time: 0.0095 seconds\nOutput:' },
          { type: 'text', text: '42' },
        ],
      },
    ]);
  });

  it('decodes an exec_command round with a string output', () => {
    const req = decode(fixture('codex-tool-round'));
    const [assistant, user] = req.messages.slice(-2);
    expect(assistant.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'exec_command',
      input: { cmd: 'cat hello.txt' },
      id: 'call_mock_36d8e5b9b4070fdb1ee16558',
    });
    expect(user.content[0]).toMatchObject({
      type: 'tool_result',
      toolUseId: 'call_mock_36d8e5b9b4070fdb1ee16558',
    });
    const content = (user.content[0] as { content: unknown }).content;
    expect(typeof content === 'string' && content.includes('PAPAYA-42')).toBe(true);
  });

  it('decodes the custom apply_patch tool and a custom_tool_call round', () => {
    const req = decode(fixture('codex-patch-round'));
    const patch = req.tools?.find((t) => t.name === 'apply_patch');
    expect(patch?.kind).toBe('custom');
    expect(patch?.format).toMatchObject({ type: 'grammar', syntax: 'lark' });
    expect((patch?.format as { definition: string }).definition).toContain('begin_patch');
    expect(req.tools?.some((t) => t.name === 'tool_search' || t.name === 'web_search')).toBe(false);
    expect(req.reasoning).toEqual({ effort: 'medium' });
    expect(req.openaiExtra).toBeUndefined(); // text.verbosity only: no response format
    const [assistant, user] = req.messages.slice(-2);
    expect(assistant.content).toEqual([
      {
        type: 'tool_use',
        id: 'call_mock_5046a649e09527dbf4614da0',
        name: 'apply_patch',
        kind: 'custom',
        input: '*** Begin Patch\n*** Add File: new.txt\n+created by codex via mock\n*** End Patch',
      },
    ]);
    expect(user.content[0]).toMatchObject({
      type: 'tool_result',
      kind: 'custom',
      toolUseId: 'call_mock_5046a649e09527dbf4614da0',
    });
  });
});

describe('decodeRequest details', () => {
  it('turns instructions into system and a string input into a user message', () => {
    const req = decode({
      model: 'm',
      input: 'hello',
      instructions: 'be brief',
      max_output_tokens: 99,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u1',
    });
    expect(req.system).toEqual([{ type: 'text', text: 'be brief' }]);
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]);
    expect(req).toMatchObject({ maxTokens: 99, temperature: 0.2, topP: 0.9, user: 'u1', stream: false });
  });

  it('decodes easy messages, images, assistant history and reasoning items', () => {
    const req = decode({
      model: 'm',
      input: [
        { role: 'system', content: 'sys' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'auto' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
          ],
        },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [
            { type: 'summary_text', text: 'first' },
            { type: 'summary_text', text: 'second' },
          ],
          encrypted_content: 'ENC',
        },
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'a cat', annotations: [] }],
        },
        { type: 'reasoning', id: 'rs_2', summary: [] },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(req.messages.map((m) => [m.role, blockTypes(m.content)])).toEqual([
      ['system', ['text']],
      ['user', ['text', 'image', 'image']],
      ['assistant', ['thinking', 'text']],
      ['user', ['text']],
    ]);
    expect(req.messages[1].content[1]).toEqual({
      type: 'image',
      source: { kind: 'url', url: 'https://x.test/a.png' },
    });
    expect(req.messages[1].content[2]).toEqual({
      type: 'image',
      source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' },
    });
    expect(req.messages[2].content[0]).toEqual({
      type: 'thinking',
      text: 'first\n\nsecond',
      signature: 'ENC',
    });
  });

  it('maps tool_choice, parallel_tool_calls, reasoning effort and text.format', () => {
    const base = { model: 'm', input: 'x' };
    expect(decode({ ...base, tool_choice: 'none' }).toolChoice).toEqual({ type: 'none' });
    expect(decode({ ...base, tool_choice: 'required' }).toolChoice).toEqual({ type: 'required' });
    expect(decode({ ...base, tool_choice: { type: 'function', name: 'f' } }).toolChoice).toEqual({
      type: 'tool',
      name: 'f',
    });
    expect(decode({ ...base, tool_choice: { type: 'web_search' } }).toolChoice).toEqual({ type: 'auto' });
    expect(decode({ ...base, parallel_tool_calls: false }).parallelToolCalls).toBe(false);
    expect(decode({ ...base, reasoning: { effort: 'high', summary: 'auto' } }).reasoning).toEqual({
      effort: 'high',
    });
    expect(decode({ ...base, reasoning: { effort: 'none' } }).reasoning).toBeUndefined();
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(
      decode({ ...base, text: { format: { type: 'json_schema', name: 'out', schema, strict: true } } })
        .responseFormat,
    ).toEqual({ type: 'json_schema', name: 'out', schema, strict: true });
    expect(decode({ ...base, text: { format: { type: 'json_object' } } }).responseFormat).toEqual({
      type: 'json_object',
    });
    expect(() => decode({ ...base, text: { format: { type: 'json_schema', name: 'x' } } })).toThrow(
      /text\.format\.schema/,
    );
  });

  it('decodes function_call arguments that are not JSON as the raw string, and empty ones as {}', () => {
    const req = decode({
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{not json' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '' },
      ],
    });
    expect(req.messages).toHaveLength(1);
    expect(req.messages[0].content.map((b) => (b as { input: unknown }).input)).toEqual(['{not json', {}]);
  });

  it('skips history items of hosted tools', () => {
    const req = decode({
      model: 'm',
      input: [
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('rejects what a stateless gateway cannot serve', () => {
    rejects(
      { model: 'm', input: 'x', previous_response_id: 'resp_1' },
      /previous_response_id/,
      'previous_response_id',
    );
    rejects({ model: 'm', input: 'x', conversation: 'conv_1' }, /conversation/, 'conversation');
    rejects({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }, /item_reference/);
    rejects(
      {
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }],
      },
      /file_id/,
    );
    rejects(
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
      /input_file/,
    );
    rejects({ model: 'm', input: [{ type: 'function_call_output', output: 'x' }] }, /call_id/);
    rejects({ model: 'm', input: [{ role: 'robot', content: 'x' }] }, /role/);
    rejects({ model: 'm', input: [{ type: 'mystery' }] }, /mystery/);
  });

  it('accepts previous_response_id: null (what the SDK may send)', () => {
    expect(decode({ model: 'm', input: 'x', previous_response_id: null }).messages).toHaveLength(1);
  });
});
