import { describe, expect, it } from 'vitest';
import { anthropicMessagesDialect as dialect } from '../../../../src/gateway/dialects/anthropic-messages.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import { capture } from '../providers/anthropic/helpers.js';

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).code).toBe('invalid_request');
    return (e as GatewayError).message;
  }
  throw new Error('expected an invalid_request error');
}

describe('anthropic-messages validate', () => {
  it('accepts Claude Code’s body and reports model and stream', () => {
    expect(dialect.validate(capture('claude-sayhi').body)).toEqual({
      model: 'claude-opus-4-8',
      stream: true,
    });
    expect(dialect.validate({ model: 'm', messages: [], max_tokens: 10 })).toEqual({
      model: 'm',
      stream: false,
    });
  });

  it('names the problem', () => {
    expect(invalidMessage(() => dialect.validate([]))).toMatch(/JSON object/);
    expect(invalidMessage(() => dialect.validate({ messages: [] }))).toMatch(/^model/);
    expect(invalidMessage(() => dialect.validate({ model: 'm', messages: {} }))).toMatch(/^messages/);
    // Anthropic requires max_tokens; so does the gateway, whichever deployment would serve.
    expect(invalidMessage(() => dialect.validate({ model: 'm', messages: [] }))).toMatch(/^max_tokens/);
    expect(invalidMessage(() => dialect.validate({ model: 'm', messages: [], max_tokens: 1.5 }))).toMatch(
      /^max_tokens/,
    );
    expect(invalidMessage(() => dialect.validate({ model: 'm', messages: [], max_tokens: '5' }))).toMatch(
      /^max_tokens/,
    );
    expect(invalidMessage(() => dialect.validate({ model: 'm', messages: [], max_tokens: 0 }))).toMatch(
      /^max_tokens/,
    );
    expect(
      invalidMessage(() => dialect.validate({ model: 'm', messages: [], max_tokens: 5, stream: 'yes' })),
    ).toMatch(/^stream/);
  });
});

describe('anthropic-messages decodeRequest (Claude Code captures)', () => {
  it('claude-sayhi: system pieces, the trailing system message, adaptive thinking → effort', () => {
    const body = capture('claude-sayhi').body;
    const req = dialect.decodeRequest(body);
    expect(req.model).toBe('claude-opus-4-8');
    expect(req.stream).toBe(true);
    expect(req.maxTokens).toBe(64000);
    expect(req.system.map((s) => s.text)).toEqual(
      (body.system as Array<{ text: string }>).map((s) => s.text),
    );
    expect(req.system.every((s) => Object.keys(s).sort().join() === 'text,type')).toBe(true);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system']);
    expect(req.messages[0].content).toHaveLength(2);
    expect(req.messages[0].content[1]).toEqual({ type: 'text', text: 'say hi' });
    expect(req.messages[1].content[0]).toMatchObject({ type: 'text' });
    expect((req.messages[1].content[0] as { text: string }).text).toMatch(/^Available agent types/);
    expect(req.reasoning).toEqual({ effort: 'high' });
    expect(req.tools?.map((t) => t.name)).toEqual(['Agent', 'Bash', 'Read', 'WebSearch']);
    // Schemas are kept as sent, $schema and huge bounds included.
    const read = req.tools!.find((t) => t.name === 'Read')!;
    expect(read.inputSchema?.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    // metadata.user_id is the user, as Chat's `user` carries it.
    expect(req.user).toBe((body.metadata as { user_id: string }).user_id);
  });

  it('claude-tool: the system message keeps its position between user and assistant; tool_use pairs with tool_result', () => {
    const req = dialect.decodeRequest(capture('claude-tool').body);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system', 'assistant', 'user']);
    const use = req.messages[2].content[0];
    const result = req.messages[3].content[0];
    expect(use).toEqual({
      type: 'tool_use',
      id: 'toolu_mock_953f0af54998251056f9eb1a',
      name: 'Read',
      input: { file_path: '<scratch>/work/hello.txt' },
    });
    expect(result).toEqual({
      type: 'tool_result',
      toolUseId: 'toolu_mock_953f0af54998251056f9eb1a',
      content: '1\tThe secret word is PAPAYA-42.\n2\t',
    });
  });

  it('claude-bash: is_error false is no error; claude-mcp: block-array tool_result content', () => {
    const bash = dialect.decodeRequest(capture('claude-bash').body);
    expect(bash.messages[3].content[0]).toEqual({
      type: 'tool_result',
      toolUseId: 'toolu_mock_494c64de0b04def6333a9593',
      content: 'The secret word is PAPAYA-42.',
    });
    const mcp = dialect.decodeRequest(capture('claude-mcp').body);
    expect(mcp.messages[2].content[0]).toMatchObject({
      type: 'tool_use',
      name: 'mcp__mini__add',
      input: { a: 2, b: 40 },
    });
    expect(mcp.messages[3].content[0]).toEqual({
      type: 'tool_result',
      toolUseId: 'toolu_mock_50e01668126418bffd9e56b7',
      content: [{ type: 'text', text: '42' }],
    });
    expect(mcp.tools?.find((t) => t.name === 'mcp__mini__add')).toEqual({
      name: 'mcp__mini__add',
      description: 'Add two numbers',
      kind: 'function',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
        $schema: 'http://json-schema.org/draft-07/schema#',
      },
    });
  });
});

describe('anthropic-messages decodeRequest (the rest of the format)', () => {
  const decode = (extra: Record<string, unknown>) =>
    dialect.decodeRequest({
      model: 'm',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
      ...extra,
    });

  it('reads every block kind with a canonical form and drops the others', () => {
    const req = decode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
            { type: 'image', source: { type: 'file', file_id: 'file_1' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc text' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
            { type: 'text', text: 'look', cache_control: { type: 'ephemeral' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'server_tool_use', id: 'srv', name: 'web_search', input: {} },
            { type: 'web_search_tool_result', tool_use_id: 'srv', content: [] },
            { type: 'tool_use', id: 't1', name: 'f', input: { x: 1 } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              is_error: true,
              content: [
                { type: 'text', text: 'bad' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA' } },
              ],
            },
          ],
        },
      ],
    });
    expect(req.messages[0].content).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } },
      { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } },
      { type: 'text', text: 'doc text' },
      { type: 'text', text: 'look' },
    ]);
    expect(req.messages[1].content).toEqual([
      { type: 'thinking', text: 'hmm', signature: 'sig' },
      { type: 'thinking', text: '', redacted: 'opaque' },
      { type: 'tool_use', id: 't1', name: 'f', input: { x: 1 } },
    ]);
    expect(req.messages[2].content).toEqual([
      {
        type: 'tool_result',
        toolUseId: 't1',
        isError: true,
        content: [
          { type: 'text', text: 'bad' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA' } },
        ],
      },
    ]);
  });

  it('keeps client tools, maps the Anthropic bash tool, records server tools, maps tool_choice and parallel use', () => {
    const req = decode({
      tools: [
        { name: 'f', description: 'F', input_schema: { type: 'object' } },
        { type: 'custom', name: 'g', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        { type: 'bash_20250124', name: 'bash' },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(req.tools).toEqual([
      { name: 'f', description: 'F', kind: 'function', inputSchema: { type: 'object' } },
      { name: 'g', kind: 'function', inputSchema: { type: 'object' } },
      {
        name: 'bash',
        kind: 'function',
        inputSchema: expect.objectContaining({
          properties: expect.objectContaining({ command: expect.anything() }),
        }),
      },
    ]);
    // A server tool is not silently lost: a deployment of another format refuses (or drops) it.
    expect(req.unportable).toEqual([
      {
        param: 'tools.web_search_20250305',
        why: 'web_search_20250305 is a server tool that only Anthropic runs',
        dialect: 'anthropic-messages',
      },
    ]);
    expect(req.toolChoice).toEqual({ type: 'required' });
    expect(req.parallelToolCalls).toBe(false);
    expect(decode({ tool_choice: { type: 'tool', name: 'f' } }).toolChoice).toEqual({
      type: 'tool',
      name: 'f',
    });
    expect(decode({ tool_choice: { type: 'none' } }).toolChoice).toEqual({ type: 'none' });
    expect(decode({ tool_choice: { type: 'auto' } }).toolChoice).toEqual({ type: 'auto' });
  });

  it('reads sampling, stop sequences, user, tier and the reasoning request; drops what has no canonical meaning', () => {
    const req = decode({
      system: 'be brief',
      temperature: 0.3,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'secret-device' },
      service_tier: 'auto',
      context_management: { edits: [] },
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(req).toEqual({
      model: 'm',
      system: [{ type: 'text', text: 'be brief' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.9,
      topK: 5,
      stop: ['END'],
      user: 'secret-device',
      serviceTier: 'auto',
      reasoning: { budgetTokens: 2048 },
      clientNames: {
        stop: 'stop_sequences',
        user: 'metadata.user_id',
        responseFormat: 'output_format',
        reasoning: 'thinking',
      },
    });
    expect(decode({ service_tier: 'standard_only' }).serviceTier).toBe('standard');
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(decode({ output_config: { format: { type: 'json_schema', schema } } }).responseFormat).toEqual({
      type: 'json_schema',
      name: 'response',
      schema,
    });
    expect(decode({ output_format: { type: 'json_schema', schema } }).responseFormat).toEqual({
      type: 'json_schema',
      name: 'response',
      schema,
    });
    // Adaptive thinking without an effort is Anthropic's default: mapped where it can be, never refused.
    expect(decode({ thinking: { type: 'adaptive' } }).reasoning).toEqual({ effort: 'high', implicit: true });
    expect(decode({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } }).reasoning).toEqual({
      effort: 'low',
    });
    expect(decode({ output_config: { effort: 'max' } }).reasoning).toEqual({ effort: 'xhigh' });
    expect(
      decode({ thinking: { type: 'disabled' }, output_config: { effort: 'high' } }).reasoning,
    ).toBeUndefined();
    expect(decode({}).reasoning).toBeUndefined();
  });

  it('rejects malformed messages with a message that names the place', () => {
    expect(invalidMessage(() => decode({ messages: [{ role: 'tool', content: 'x' }] }))).toMatch(
      /messages\[0\]\.role/,
    );
    expect(invalidMessage(() => decode({ messages: [{ role: 'user', content: 5 }] }))).toMatch(
      /messages\[0\]\.content/,
    );
    expect(
      invalidMessage(() =>
        decode({ messages: [{ role: 'user', content: [{ type: 'tool_use', name: 'x' }] }] }),
      ),
    ).toMatch(/messages\[0\]\.content\[0\]/);
    expect(invalidMessage(() => decode({ system: 5 }))).toMatch(/^system/);
    expect(invalidMessage(() => decode({ tool_choice: { type: 'sometimes' } }))).toMatch(/tool_choice/);
  });
});

describe('anthropic-messages errorBody', () => {
  it('renders gateway errors as Anthropic error bodies', () => {
    expect(dialect.errorBody(new GatewayError('rate_limit', 'slow down'))).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down' },
    });
    expect(dialect.errorBody(new GatewayError('model_not_found', 'no such model'))).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'no such model' },
    });
    expect(dialect.errorBody(new GatewayError('upstream_error', 'Overloaded', { status: 529 }))).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });
});
