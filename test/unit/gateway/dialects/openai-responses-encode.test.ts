import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse } from '../../../../src/gateway/canonical.js';
import { openaiResponsesDialect as dialect } from '../../../../src/gateway/dialects/openai-responses.js';
import type { EncodeContext } from '../../../../src/gateway/dialects/types.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import { validateOpenAI } from '../../../helpers/openai-schema.js';

type Json = Record<string, any>;

function codexRequest(name: string): CanonicalRequest {
  const url = new URL(`../../../fixtures/responses/${name}.json`, import.meta.url);
  return dialect.decodeRequest((JSON.parse(readFileSync(url, 'utf8')) as { body: Json }).body);
}

const ctx = (request?: CanonicalRequest): EncodeContext => ({
  model: 'code',
  requestId: 'req_0123abcd',
  created: 1_790_000_000,
  request,
});

function encode(res: Partial<CanonicalResponse>, c = ctx()): Json {
  const full: CanonicalResponse = {
    id: 'msg_up',
    model: 'claude-x',
    content: [],
    stopReason: 'end_turn',
    ...res,
  };
  const out = dialect.encodeResponse(full, c) as Json;
  expect(validateOpenAI('Response', out)).toEqual([]);
  return out;
}

describe('openaiResponsesDialect.encodeResponse', () => {
  it('encodes text as a completed Response with usage that counts cache tokens as input', () => {
    const out = encode({
      content: [{ type: 'text', text: 'Hello' }],
      usage: {
        inputTokens: 10,
        outputTokens: 5,
        cacheReadTokens: 100,
        cacheWriteTokens: 7,
        reasoningTokens: 2,
      },
    });
    expect(out).toMatchObject({
      id: 'resp_req0123abcd',
      object: 'response',
      created_at: 1_790_000_000,
      status: 'completed',
      model: 'code',
      error: null,
      incomplete_details: null,
      output: [
        {
          type: 'message',
          id: 'msg_req0123abcd_0',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hello', annotations: [] }],
        },
      ],
    });
    expect(out.usage).toEqual({
      input_tokens: 117,
      input_tokens_details: { cached_tokens: 100, cache_write_tokens: 7 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 122,
    });
  });

  it('reports max_tokens as incomplete with reason max_output_tokens', () => {
    const out = encode({
      content: [{ type: 'text', text: 'Hel' }],
      stopReason: 'max_tokens',
      usage: { inputTokens: 1, outputTokens: 3 },
    });
    expect(out.status).toBe('incomplete');
    expect(out.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(out.output[0].status).toBe('incomplete');
  });

  it('encodes reasoning, function calls and custom tool calls in content order', () => {
    const out = encode({
      stopReason: 'tool_use',
      content: [
        { type: 'thinking', text: 'let me think', signature: 'sig-abc' },
        { type: 'text', text: 'Running it.' },
        { type: 'tool_use', id: 'toolu_1', name: 'exec_command', input: { cmd: 'ls' } },
        {
          type: 'tool_use',
          id: 'toolu_2',
          name: 'apply_patch',
          input: '*** Begin Patch\n*** End Patch',
          kind: 'custom',
        },
        { type: 'thinking', text: '', redacted: 'opaque' },
      ],
    });
    expect(out.output).toEqual([
      {
        id: 'rs_req0123abcd_0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'let me think' }],
        encrypted_content: 'sig-abc',
      },
      expect.objectContaining({ type: 'message', id: 'msg_req0123abcd_1' }),
      {
        id: 'fc_req0123abcd_2',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_1',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
      },
      {
        id: 'ctc_req0123abcd_3',
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'toolu_2',
        name: 'apply_patch',
        input: '*** Begin Patch\n*** End Patch',
      },
    ]);
  });

  it('splits a flattened MCP name back into name + namespace for a namespace the request declared', () => {
    const req = codexRequest('codex-mcp-round');
    const out = encode(
      {
        stopReason: 'tool_use',
        content: [{ type: 'tool_use', id: 'call_1', name: 'mcp__mini__add', input: { a: 2, b: 40 } }],
      },
      ctx(req),
    );
    expect(out.output[0]).toMatchObject({
      type: 'function_call',
      name: 'add',
      namespace: 'mcp__mini',
      arguments: '{"a":2,"b":40}',
    });
    // Without the request (or for an undeclared namespace) the name is left alone.
    const plain = encode({
      content: [{ type: 'tool_use', id: 'call_1', name: 'mcp__mini__add', input: {} }],
    });
    expect(plain.output[0].name).toBe('mcp__mini__add');
    expect(plain.output[0].namespace).toBeUndefined();
    // A block that already carries its namespace keeps it.
    const kept = encode(
      { content: [{ type: 'tool_use', id: 'c', name: 'add', namespace: 'mcp__mini', input: {} }] },
      ctx(req),
    );
    expect(kept.output[0]).toMatchObject({ name: 'add', namespace: 'mcp__mini' });
  });

  it('answers a declared custom tool called with JSON arguments as a custom_tool_call', () => {
    const req = codexRequest('codex-patch-round');
    const out = encode(
      {
        stopReason: 'tool_use',
        content: [
          { type: 'tool_use', id: 'call_9', name: 'apply_patch', input: { input: '*** Begin Patch' } },
        ],
      },
      ctx(req),
    );
    expect(out.output[0]).toMatchObject({
      type: 'custom_tool_call',
      name: 'apply_patch',
      input: '*** Begin Patch',
      call_id: 'call_9',
    });
  });

  it('echoes the request settings and tools (namespaces regrouped, hosted tools gone)', () => {
    const req = codexRequest('codex-mcp-round');
    const out = encode({ content: [{ type: 'text', text: 'ok' }] }, ctx(req));
    expect(out.parallel_tool_calls).toBe(true);
    expect(out.tool_choice).toBe('auto');
    const ns = out.tools.find((t: Json) => t.type === 'namespace' && t.name === 'mcp__mini');
    expect(ns.tools.map((t: Json) => t.name)).toEqual(['add', 'echo']);
    expect(out.tools.some((t: Json) => t.type === 'web_search')).toBe(false);
  });
});

describe('openaiResponsesDialect.encodeResponse with the openai SDK', () => {
  it('is read by responses.create(), which computes output_text from it', async () => {
    const body = encode({
      content: [
        { type: 'thinking', text: 'hm' },
        { type: 'text', text: 'Hello ' },
        { type: 'text', text: 'world' },
      ],
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    const client = new OpenAI({
      apiKey: 'test',
      baseURL: 'http://gateway.invalid/v1',
      maxRetries: 0,
      fetch: async () =>
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    });
    const res = await client.responses.create({ model: 'code', input: 'hi' });
    expect(res.output_text).toBe('Hello world');
    expect(res.usage?.total_tokens).toBe(5);
  });
});

describe('openaiResponsesDialect.errorBody', () => {
  it('is the OpenAI error envelope', () => {
    const err = new GatewayError('model_not_found', 'model "x" not found', { param: 'model' });
    const body = dialect.errorBody(err);
    expect(body).toEqual({
      error: {
        message: 'model "x" not found',
        type: 'model_not_found',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect(validateOpenAI('ErrorResponse', body)).toEqual([]);
    expect(dialect.errorBody(new GatewayError('invalid_request', 'bad'))).toEqual({
      error: { message: 'bad', type: 'invalid_request_error', param: null, code: 'invalid_request' },
    });
  });
});

describe('the schema check itself', () => {
  it('rejects a Response missing what the schema requires (so the checks above can fail)', () => {
    const out = dialect.encodeResponse(
      { id: 'x', model: 'm', content: [{ type: 'text', text: 'a' }], stopReason: 'end_turn' },
      ctx(),
    ) as Json;
    expect(validateOpenAI('Response', out)).toEqual([]);
    const { tool_choice: _drop, ...noChoice } = out;
    expect(validateOpenAI('Response', noChoice)).not.toEqual([]);
    const badPart = structuredClone(out);
    delete badPart.output[0].content[0].logprobs;
    expect(validateOpenAI('Response', badPart)).not.toEqual([]);
  });
});
