import { describe, expect, it } from 'vitest';
import { classifyAnthropicError } from '../../../../../src/gateway/providers/anthropic/errors.js';

const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message } });

describe('classifyAnthropicError', () => {
  it('429 is a rate limit with the wait from retry-after or retry-after-ms', () => {
    const f = classifyAnthropicError(
      429,
      body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
      {
        'retry-after': '17',
      },
    );
    expect(f).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterS: 17 });
    expect(f.message).toBe('Number of request tokens has exceeded your per-minute rate limit');
    expect(classifyAnthropicError(429, '', { 'Retry-After-Ms': '1500' }).retryAfterS).toBe(1.5);
    expect(classifyAnthropicError(429, '', {}).retryAfterS).toBeUndefined();
    const date = new Date(Date.now() + 30_000).toUTCString();
    const s = classifyAnthropicError(429, '', { 'retry-after': date }).retryAfterS!;
    expect(s).toBeGreaterThan(25);
    expect(s).toBeLessThanOrEqual(30);
  });

  it('529 overloaded, 5xx, 408 and 409 are server failures worth retrying', () => {
    expect(classifyAnthropicError(529, body('overloaded_error', 'Overloaded'), {})).toMatchObject({
      kind: 'server',
      status: 529,
      message: 'Overloaded',
    });
    expect(classifyAnthropicError(500, body('api_error', 'Internal server error'), {}).kind).toBe('server');
    expect(classifyAnthropicError(503, '<html>bad gateway</html>', {})).toMatchObject({
      kind: 'server',
      message: 'Anthropic returned HTTP 503',
    });
    expect(classifyAnthropicError(408, '', {}).kind).toBe('server');
    expect(classifyAnthropicError(409, '', {}).kind).toBe('server');
  });

  it('a 400 about prompt length is a context-window failure', () => {
    for (const m of [
      'prompt is too long: 208310 tokens > 200000 maximum',
      'input length and `max_tokens` exceed context limit: 197000 + 64000 > 200000, decrease input length or `max_tokens` and try again',
    ]) {
      expect(classifyAnthropicError(400, body('invalid_request_error', m), {})).toMatchObject({
        kind: 'context_window',
        message: m,
      });
    }
  });

  it('other 4xx are the client’s, and the raw body is kept', () => {
    const raw = body(
      'invalid_request_error',
      'messages.1.content.0.tool_use.id: String should match pattern',
    );
    expect(classifyAnthropicError(400, raw, {})).toEqual({
      kind: 'client',
      status: 400,
      message: 'messages.1.content.0.tool_use.id: String should match pattern',
      body: raw,
    });
    // 401/403 refuse the deployment's own key (the client's never goes upstream): `auth`, a fallback.
    expect(classifyAnthropicError(401, body('authentication_error', 'invalid x-api-key'), {}).kind).toBe(
      'auth',
    );
    expect(classifyAnthropicError(403, body('permission_error', 'no access'), {}).kind).toBe('auth');
    expect(classifyAnthropicError(404, 'not found', {})).toMatchObject({
      kind: 'client',
      message: 'not found',
    });
  });
});
