import { describe, expect, it } from 'vitest';
import type { CanonicalResponse } from '../../../../src/gateway/canonical.js';
import { openaiChatDialect } from '../../../../src/gateway/dialects/openai-chat.js';
import { GatewayError, type ErrorCode } from '../../../../src/gateway/errors.js';
import { validateOpenAI } from '../../../helpers/openai-schema.js';

const ctx = { model: 'default', requestId: 'req_123', created: 1741570283 };

describe('openai-chat encodeResponse', () => {
  it('encodes text, reasoning and usage (prompt_tokens counts cache reads and writes back in)', () => {
    const res: CanonicalResponse = {
      id: 'msg_01XYZ',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', text: 'Let me think.', signature: 'sig' },
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' world' },
      ],
      stopReason: 'end_turn',
      usage: {
        inputTokens: 10,
        outputTokens: 20,
        cacheReadTokens: 1000,
        cacheWriteTokens: 5,
        reasoningTokens: 7,
      },
    };
    const body = openaiChatDialect.encodeResponse(res, ctx);
    expect(validateOpenAI('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body).toEqual({
      id: 'chatcmpl-req_123',
      object: 'chat.completion',
      created: 1741570283,
      model: 'default',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello world',
            refusal: null,
            reasoning_content: 'Let me think.',
          },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 1015,
        completion_tokens: 20,
        total_tokens: 1035,
        prompt_tokens_details: { cached_tokens: 1000 },
        completion_tokens_details: { reasoning_tokens: 7 },
      },
    });
  });

  it('encodes tool calls with JSON string arguments, null content, flat namespaced names', () => {
    const res: CanonicalResponse = {
      id: 'chatcmpl-up',
      model: 'm',
      content: [
        { type: 'tool_use', id: 'toolu_1', name: 'add', namespace: 'mcp__mini', input: { a: 2, b: 40 } },
        { type: 'tool_use', id: 'toolu_2', name: 'apply_patch', kind: 'custom', input: '*** Begin Patch' },
      ],
      stopReason: 'tool_use',
    };
    const body = openaiChatDialect.encodeResponse(res, ctx) as {
      id: string;
      choices: Array<{ message: Record<string, unknown>; finish_reason: string }>;
    };
    expect(validateOpenAI('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body.id).toBe('chatcmpl-up');
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.content).toBeNull();
    expect(body.choices[0].message.tool_calls).toEqual([
      { id: 'toolu_1', type: 'function', function: { name: 'mcp__mini__add', arguments: '{"a":2,"b":40}' } },
      {
        id: 'toolu_2',
        type: 'function',
        function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' },
      },
    ]);
  });

  it('maps stop reasons to finish_reason', () => {
    const table = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['content_filter', 'content_filter'],
      ['refusal', 'stop'],
      [null, 'stop'],
    ] as const;
    for (const [stop, finish] of table) {
      const body = openaiChatDialect.encodeResponse(
        { id: 'x', model: 'm', content: [{ type: 'text', text: 'x' }], stopReason: stop },
        ctx,
      ) as {
        choices: Array<{ finish_reason: string }>;
      };
      expect(body.choices[0].finish_reason, String(stop)).toBe(finish);
      expect(validateOpenAI('CreateChatCompletionResponse', body)).toEqual([]);
    }
  });
});

describe('openai-chat errorBody', () => {
  it('renders every code as a valid OpenAI ErrorResponse', () => {
    const codes: ErrorCode[] = [
      'invalid_request',
      'auth_failed',
      'budget_exceeded',
      'model_not_found',
      'rate_limit',
      'api_error',
      'timeout',
    ];
    for (const code of codes) {
      const body = openaiChatDialect.errorBody(
        new GatewayError(code, `failed: ${code}`, { param: code === 'invalid_request' ? 'messages' : null }),
      );
      expect(validateOpenAI('ErrorResponse', body), code).toEqual([]);
    }
    expect(
      openaiChatDialect.errorBody(
        new GatewayError('invalid_request', "'model' is required", { param: 'model' }),
      ),
    ).toEqual({
      error: {
        message: "'model' is required",
        type: 'invalid_request_error',
        param: 'model',
        code: 'invalid_request',
      },
    });
  });
});
