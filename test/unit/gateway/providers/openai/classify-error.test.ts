import { describe, expect, it } from 'vitest';
import { classifyOpenAIError } from '../../../../../src/gateway/providers/openai/classify-error.js';

const err = (message: string, code: string | null = null, type = 'invalid_request_error') =>
  JSON.stringify({ error: { message, type, param: null, code } });

describe('classifyOpenAIError', () => {
  it('429 is a rate limit with Retry-After seconds, HTTP date or retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const body = err('Rate limit reached for gpt-4o', 'rate_limit_exceeded', 'requests');
    expect(classifyOpenAIError(429, body, { 'retry-after': '7' }, now)).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      message: 'Rate limit reached for gpt-4o',
      retryAfterS: 7,
      body,
    });
    expect(
      classifyOpenAIError(429, body, { 'Retry-After': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now).retryAfterS,
    ).toBe(30);
    expect(
      classifyOpenAIError(429, body, { 'retry-after-ms': '1500', 'retry-after': '9' }, now).retryAfterS,
    ).toBe(1.5);
    expect(classifyOpenAIError(429, body, {}, now).retryAfterS).toBeUndefined();
  });

  it('5xx, 408 and 409 are server failures', () => {
    for (const s of [500, 502, 503, 504, 408, 409])
      expect(classifyOpenAIError(s, err('x'), {}).kind).toBe('server');
  });

  it('context window errors by code or wording, on 400 and 413', () => {
    expect(classifyOpenAIError(400, err('too long', 'context_length_exceeded'), {}).kind).toBe(
      'context_window',
    );
    expect(
      classifyOpenAIError(
        400,
        err(
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
        ),
        {},
      ).kind,
    ).toBe('context_window');
    expect(classifyOpenAIError(413, err('Request too large: too many tokens'), {}).kind).toBe(
      'context_window',
    );
    expect(classifyOpenAIError(400, 'the prompt exceeds the context length of the model', {}).kind).toBe(
      'context_window',
    );
  });

  it('other 4xx are client errors, message from error.message or the text', () => {
    expect(classifyOpenAIError(400, err('Invalid value for temperature'), {})).toMatchObject({
      kind: 'client',
      message: 'Invalid value for temperature',
    });
    expect(
      classifyOpenAIError(404, err('The model `gpt-9` does not exist', 'model_not_found'), {}).kind,
    ).toBe('client');
    // 401/403 refuse the deployment's own key (the client's never goes upstream): `auth`, a fallback.
    expect(classifyOpenAIError(401, 'Unauthorized', {})).toMatchObject({
      kind: 'auth',
      message: 'Unauthorized',
    });
    expect(classifyOpenAIError(403, '', {}).kind).toBe('auth');
    expect(classifyOpenAIError(403, '', {}).message).toBe('HTTP 403');
  });

  it('never carries an echoed key in the message', () => {
    const f = classifyOpenAIError(
      401,
      err('Incorrect API key provided: sk-proj-abcdef123456. You can find your API key at …'),
      {},
    );
    expect(f.message).not.toContain('abcdef123456');
    expect(f.message).toContain('sk-***');
  });
});
