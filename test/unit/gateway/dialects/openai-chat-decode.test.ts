import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openaiChatDialect } from '../../../../src/gateway/dialects/openai-chat.js';
import { GatewayError } from '../../../../src/gateway/errors.js';

const sdkToolRequest = JSON.parse(
  readFileSync(new URL('../../../fixtures/openai-chat/sdk-tool-request.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function invalid(body: unknown): GatewayError {
  try {
    openaiChatDialect.validate(body);
  } catch (e) {
    return e as GatewayError;
  }
  throw new Error('expected validate to throw');
}

describe('openai-chat validate', () => {
  it('accepts a request the openai SDK sends and reports model and stream', () => {
    expect(openaiChatDialect.validate(sdkToolRequest)).toEqual({ model: 'gpt-4o-mini', stream: true });
    expect(
      openaiChatDialect.validate({ model: 'm', messages: [{ role: 'developer', content: 'x' }] }),
    ).toEqual({ model: 'm', stream: false });
  });

  it('names the offending field', () => {
    const cases: Array<[unknown, string | null, RegExp]> = [
      [[1], null, /JSON object/],
      ['str', null, /JSON object/],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model', /model/],
      [{ model: '', messages: [{ role: 'user', content: 'x' }] }, 'model', /model/],
      [{ model: 'm' }, 'messages', /messages/],
      [{ model: 'm', messages: [] }, 'messages', /messages/],
      [{ model: 'm', messages: [{ role: 'user' }, 'x'] }, 'messages[1]', /messages\[1\]/],
      [
        { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
        'messages[0].role',
        /messages\[0\]\.role/,
      ],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', /stream/],
    ];
    for (const [body, param, msg] of cases) {
      const e = invalid(body);
      expect(e).toBeInstanceOf(GatewayError);
      expect(e.code).toBe('invalid_request');
      expect(e.status).toBe(400);
      expect(e.param).toBe(param);
      expect(e.message).toMatch(msg);
    }
  });
});

describe('openai-chat decodeRequest', () => {
  it('decodes the SDK tool request', () => {
    expect(openaiChatDialect.decodeRequest(sdkToolRequest)).toEqual({
      model: 'gpt-4o-mini',
      system: [],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather? @@tool get_weather {"city":"Paris"}@@' }] },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'weather',
          kind: 'function',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      stream: true,
    });
  });

  it('decodes a full conversation', () => {
    const req = openaiChatDialect.decodeRequest({
      model: 'default',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } },
            { id: 'call_2', type: 'function', function: { name: 'patch', arguments: '{"input":"diff"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'ok' }] },
        { role: 'system', content: 'Mid-conversation note.' },
        { role: 'user', content: 'thanks' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        },
        { type: 'custom', custom: { name: 'patch', description: 'apply a patch', format: { type: 'text' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      stop: 'END',
      max_completion_tokens: 500,
      max_tokens: 900,
      temperature: 0,
      top_p: 1,
      reasoning_effort: 'low',
      user: 'u',
      stream: true,
      stream_options: { include_usage: true },
      seed: 42,
      response_format: { type: 'json_object' },
      n: 1,
      logprobs: false,
      presence_penalty: 0.5,
      logit_bias: { '50256': -100 },
      metadata: null,
    });
    expect(req).toEqual({
      model: 'default',
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Use tools.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'cat' } },
            { type: 'tool_use', id: 'call_2', name: 'patch', input: 'diff', kind: 'custom' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: 'call_1', content: 'a cat' },
            { type: 'tool_result', toolUseId: 'call_2', content: 'ok', kind: 'custom' },
          ],
        },
        { role: 'system', content: [{ type: 'text', text: 'Mid-conversation note.' }] },
        { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
      ],
      tools: [
        {
          name: 'lookup',
          kind: 'function',
          inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
        },
        { name: 'patch', description: 'apply a patch', kind: 'custom', format: { type: 'text' } },
      ],
      toolChoice: { type: 'tool', name: 'lookup' },
      parallelToolCalls: false,
      stop: ['END'],
      maxTokens: 500,
      temperature: 0,
      topP: 1,
      reasoning: { effort: 'low' },
      user: 'u',
      stream: true,
      includeUsage: true,
      responseFormat: { type: 'json_object' },
      openaiExtra: {
        seed: 42,
        n: 1,
        logprobs: false,
        presence_penalty: 0.5,
        logit_bias: { '50256': -100 },
      },
    });
  });

  it('maps tool_choice strings and stop arrays, ignores reasoning_effort none', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    for (const c of ['auto', 'none', 'required'] as const) {
      expect(openaiChatDialect.decodeRequest({ ...base, tool_choice: c }).toolChoice).toEqual({ type: c });
    }
    const r = openaiChatDialect.decodeRequest({
      ...base,
      stop: ['a', 'b'],
      reasoning_effort: 'none',
      max_tokens: 9,
    });
    expect(r.stop).toEqual(['a', 'b']);
    expect(r.reasoning).toBeUndefined();
    expect(r.maxTokens).toBe(9);
  });

  it('rejects what it cannot translate, naming the field', () => {
    const base = { model: 'm' };
    const bad: Array<[Record<string, unknown>, string]> = [
      [
        { ...base, messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
        'messages[0].content[0]',
      ],
      [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
      [{ ...base, messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role'],
      [
        { ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] },
        'tools[0]',
      ],
      [{ ...base, messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature'],
    ];
    for (const [body, param] of bad) {
      let err: GatewayError | undefined;
      try {
        openaiChatDialect.decodeRequest(body);
      } catch (e) {
        err = e as GatewayError;
      }
      expect(err?.code, param).toBe('invalid_request');
      expect(err?.param).toBe(param);
    }
  });
});
