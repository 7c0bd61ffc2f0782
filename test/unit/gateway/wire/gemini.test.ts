import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../../src/gateway/canonical.js';
import { GatewayError } from '../../../../src/gateway/errors.js';
import {
  createGeminiStreamParser,
  decodeGeminiResponse,
} from '../../../../src/gateway/wire/gemini/decode-response.js';
import { decodeGeminiRequest } from '../../../../src/gateway/wire/gemini/decode-request.js';
import { encodeGeminiRequest, SKIP_SIGNATURE } from '../../../../src/gateway/wire/gemini/encode-request.js';
import {
  createGeminiChunkEncoder,
  encodeGeminiResponse,
} from '../../../../src/gateway/wire/gemini/encode-response.js';
import { classifyGeminiError, geminiErrorBody } from '../../../../src/gateway/wire/gemini/errors.js';
import { usageFromGemini, usageToGemini } from '../../../../src/gateway/wire/gemini/mapping.js';
import { decodeSse, parseAll } from '../../../helpers/sse.js';

const cliRequest = JSON.parse(
  readFileSync(new URL('../../../fixtures/gemini/gemini-cli-request.json', import.meta.url), 'utf8'),
);

const STREAM = [
  {
    candidates: [{ content: { role: 'model', parts: [{ text: 'Let me look.', thought: true }] }, index: 0 }],
    responseId: 'r1',
    modelVersion: 'gemini-2.5-pro',
  },
  {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { functionCall: { name: 'read_file', args: { file_path: 'a.txt' } }, thoughtSignature: 'U0lH' },
          ],
        },
        index: 0,
      },
    ],
  },
  {
    candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: 50,
      candidatesTokenCount: 10,
      thoughtsTokenCount: 5,
      cachedContentTokenCount: 20,
      totalTokenCount: 65,
    },
  },
]
  .map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`)
  .join('');

describe('the Gemini stream parser', () => {
  it('gives the same events wherever the bytes are cut', () => {
    const whole = parseAll(createGeminiStreamParser(), decodeSse(STREAM));
    expect(whole.map((e) => e.type)).toEqual([
      'start',
      'block_start',
      'thinking_delta',
      'signature_delta',
      'block_stop',
      'block_start',
      'tool_input_delta',
      'block_stop',
      'usage',
      'stop',
    ]);
    expect(whole.find((e) => e.type === 'block_start' && e.block.type === 'tool_use')).toMatchObject({
      block: { type: 'tool_use', name: 'read_file', signature: 'U0lH' },
    });
    expect(whole.find((e) => e.type === 'stop')).toEqual({ type: 'stop', stopReason: 'tool_use' });
    expect(whole.find((e) => e.type === 'usage')).toEqual({
      type: 'usage',
      usage: { inputTokens: 30, outputTokens: 15, cacheReadTokens: 20, reasoningTokens: 5 },
    });
    // Gemini sent no call id: one is made up per parse, so ids are compared apart.
    const noIds = (evs: typeof whole) => JSON.stringify(evs).replace(/"call_[0-9a-f]+"/g, '"call_x"');
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++)
      expect(noIds(parseAll(createGeminiStreamParser(), decodeSse(bytes, [cut])))).toBe(noIds(whole));
  });

  it('an error event is an upstream error; a prompt blocked before any candidate is a content filter', () => {
    const parse = createGeminiStreamParser();
    expect(
      parse({ data: JSON.stringify({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } }) }),
    ).toEqual([{ type: 'error', message: 'overloaded', errorType: 'UNAVAILABLE', status: 503 }]);
    const res = decodeGeminiResponse({
      promptFeedback: { blockReason: 'SAFETY' },
      usageMetadata: { promptTokenCount: 3 },
    });
    expect(res.stopReason).toBe('content_filter');
    expect(
      decodeGeminiResponse({
        candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'MAX_TOKENS' }],
      }).stopReason,
    ).toBe('max_tokens');
  });
});

describe('Gemini requests → canonical (what Gemini CLI sends)', () => {
  it('decodes the captured Gemini CLI request', () => {
    const req = decodeGeminiRequest(cliRequest.body, 'gemini-2.5-pro', true);
    expect(req.system[0].text).toMatch(/^You are a non-interactive CLI agent/);
    expect(req.messages[0].role).toBe('user');
    expect(req.tools?.map((t) => t.name)).toContain('read_file');
    expect(req.tools?.find((t) => t.name === 'read_file')?.inputSchema).toMatchObject({
      required: ['file_path'],
    });
    expect(req).toMatchObject({
      temperature: 1,
      topP: 0.95,
      topK: 64,
      reasoning: { budgetTokens: 8192 },
      stream: true,
    });
  });

  it('pairs function responses without ids with their calls, and refuses what it cannot carry', () => {
    const req = decodeGeminiRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'go' }] },
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'ls', args: {} } },
              { functionCall: { name: 'cat', args: { p: 1 } } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'cat', response: { output: 'C' } } },
              { functionResponse: { name: 'ls', response: { error: 'E' } } },
            ],
          },
        ],
      },
      'm',
      false,
    );
    const calls = req.messages[1].content as any[];
    const results = req.messages[2].content as any[];
    expect(results[0]).toEqual({ type: 'tool_result', toolUseId: calls[1].id, content: 'C' });
    expect(results[1]).toEqual({ type: 'tool_result', toolUseId: calls[0].id, content: 'E', isError: true });
    const refuse = (body: Record<string, unknown>): string => {
      try {
        decodeGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], ...body }, 'm', false);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(GatewayError);
        return (e as GatewayError).message;
      }
    };
    expect(refuse({ safetySettings: [] })).toMatch(/^safetySettings: not supported/);
    expect(refuse({ cachedContent: 'cachedContents/1' })).toMatch(/^cachedContent/);
    expect(refuse({ generationConfig: { responseLogprobs: true } })).toMatch(
      /generationConfig\.responseLogprobs/,
    );
    expect(refuse({ generationConfig: { candidateCount: 2 } })).toMatch(/candidateCount/);
    expect(refuse({ tools: [{ codeExecution: {} }] })).toMatch(/tools\[0\]\.codeExecution/);
  });
});

describe('canonical → Gemini requests', () => {
  const base: CanonicalRequest = {
    model: 'm',
    system: [{ type: 'text', text: 'sys' }],
    messages: [],
    stream: false,
  };

  it('puts a signature on the first function call of a model turn, moving it from the thinking before', () => {
    const body = encodeGeminiRequest({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'hmm', signature: 'U0lH' },
            { type: 'tool_use', id: 't1', name: 'ls', input: {} },
            { type: 'tool_use', id: 't2', name: 'cat', input: '{"p":1}' },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 't2', content: 'C' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't3', name: 'ls', input: {} }] },
      ],
    });
    expect(body.contents[1].parts).toEqual([
      { text: 'hmm', thought: true },
      { functionCall: { id: 't1', name: 'ls', args: {} }, thoughtSignature: 'U0lH' },
      { functionCall: { id: 't2', name: 'cat', args: { p: 1 } } },
    ]);
    expect(body.contents[2].parts).toEqual([
      { functionResponse: { id: 't2', name: 'cat', response: { output: 'C' } } },
    ]);
    // History from a model that never signed: the value Google documents for that case.
    expect(body.contents[3].parts[0].thoughtSignature).toBe(SKIP_SIGNATURE);
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'sys' }] });
  });

  it('maps reasoning, structured output and tool choice; refuses a Chat parameter it cannot express', () => {
    const body = encodeGeminiRequest({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      reasoning: { effort: 'high' },
      tools: [{ name: 'f', kind: 'function', inputSchema: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'f' },
      openaiExtra: {
        response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
        seed: 7,
      },
    });
    expect(body.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 24576 },
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
      seed: 7,
    });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } });
    expect(() => encodeGeminiRequest({ ...base, messages: [], openaiExtra: { logprobs: true } })).toThrow(
      /logprobs/,
    );
  });
});

describe('canonical → Gemini answers', () => {
  it('a response lends no signature twice, and the stream ends with finish reason and final usage', () => {
    const res = encodeGeminiResponse(
      {
        id: 'r',
        model: 'x',
        content: [
          { type: 'thinking', text: 't', signature: 'S' },
          { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 }, signature: 'S' },
        ],
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, reasoningTokens: 1 },
      },
      'alias',
    );
    expect(res.candidates![0].content!.parts).toEqual([
      { text: 't', thought: true },
      { functionCall: { id: 'c1', name: 'f', args: { a: 1 } }, thoughtSignature: 'S' },
    ]);
    expect(res.usageMetadata).toEqual({
      promptTokenCount: 12,
      candidatesTokenCount: 4,
      totalTokenCount: 17,
      cachedContentTokenCount: 2,
      thoughtsTokenCount: 1,
    });
    expect(res.candidates![0].finishReason).toBe('STOP');

    const enc = createGeminiChunkEncoder('alias');
    const out = [
      { type: 'start', id: 'r', model: 'x' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hi' },
      { type: 'block_stop', index: 0 },
      { type: 'stop', stopReason: 'end_turn' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
      { type: 'end' },
    ].flatMap((e) => enc(e as never));
    expect(out).toHaveLength(2);
    expect(out[0].candidates![0].content!.parts).toEqual([{ text: 'Hi' }]);
    expect(out[1].candidates![0].finishReason).toBe('STOP');
    expect(out[1].usageMetadata).toEqual({
      promptTokenCount: 3,
      candidatesTokenCount: 2,
      totalTokenCount: 5,
    });
  });

  it('usage maps both ways without losing cached or thought tokens', () => {
    const u = {
      promptTokenCount: 120,
      candidatesTokenCount: 30,
      thoughtsTokenCount: 50,
      cachedContentTokenCount: 100,
      totalTokenCount: 200,
    };
    expect(usageToGemini(usageFromGemini(u))).toEqual(u);
  });
});

describe('Google errors', () => {
  it('429 RESOURCE_EXHAUSTED: rate limit with the RetryInfo delay; keys are masked', () => {
    const f = classifyGeminiError(
      429,
      JSON.stringify([
        {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: 'quota for key AIzaSyABCDEFGHIJKLMNOP',
            details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }],
          },
        },
      ]),
      {},
    );
    expect(f).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      retryAfterS: 1.5,
      message: 'quota for key AIza***',
    });
    expect(f.body).not.toContain('AIzaSyABCDEFGHIJKLMNOP');
    expect(
      classifyGeminiError(503, '{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}', {})
        .kind,
    ).toBe('server');
    expect(
      classifyGeminiError(403, '{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}', {})
        .kind,
    ).toBe('client');
    expect(classifyGeminiError(400, '<html>bad</html>', {}).message).toBe('Google returned HTTP 400');
  });

  it('gateway errors render in Google’s envelope, with RetryInfo for rate limits', () => {
    expect(geminiErrorBody(new GatewayError('rate_limit', 'slow down', { retryAfterS: 4 }))).toEqual({
      error: {
        code: 429,
        message: 'slow down',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '4s' }],
      },
    });
  });
});
