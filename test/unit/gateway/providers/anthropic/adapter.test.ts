import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../../../src/gateway/providers/anthropic/adapter.js';
import { capture, deployment } from './helpers.js';

const codec = anthropicAdapter.wires['anthropic-messages']!;

describe('anthropicAdapter', () => {
  it('describes the provider', () => {
    expect(anthropicAdapter).toMatchObject({
      type: 'anthropic',
      native: 'anthropic-messages',
      defaultApiBase: 'https://api.anthropic.com/v1',
      needsKey: true,
    });
    expect(anthropicAdapter.embeddings).toBeUndefined();
    expect(codec.path).toBe('/messages');
    expect(codec.dialect).toBe('anthropic-messages');
  });

  it('sends the provider key, the client’s version and betas, never the client’s key', () => {
    const cc = capture('claude-sayhi').headers;
    const h = anthropicAdapter.headers(deployment(), {
      ...cc,
      'x-api-key': 'client-key',
      authorization: 'Bearer client-token',
      'user-agent': 'claude-cli/2.1.197',
    });
    expect(h).toEqual({
      'x-api-key': 'sk-ant-provider-key',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': cc['anthropic-beta'],
    });
  });

  it('defaults the version, joins repeated beta headers, and adds configured headers', () => {
    const d = deployment();
    d.provider.headers = { 'x-team': 'a', 'x-api-key': 'not this' };
    const h = anthropicAdapter.headers(d, {
      'anthropic-version': '2026-10-21',
      'anthropic-beta': ['a-1', 'b-2'],
    });
    expect(h).toEqual({
      'x-team': 'a',
      'x-api-key': 'sk-ant-provider-key',
      'anthropic-version': '2026-10-21',
      'anthropic-beta': 'a-1,b-2',
    });
    expect(anthropicAdapter.headers(deployment(), {})).toEqual({
      'x-api-key': 'sk-ant-provider-key',
      'anthropic-version': '2023-06-01',
    });
  });
});

describe('passthrough rewrite', () => {
  it('sets the model and clamps max_tokens, leaving everything else as the client sent it', () => {
    const body = capture('claude-sayhi').body;
    const before = structuredClone(body);
    const out = codec.rewriteForPassthrough(body, deployment({ maxTokens: 8192 }));
    expect(out).toBe(body);
    expect(out.model).toBe('claude-sonnet-4-5');
    expect(out.max_tokens).toBe(8192);
    expect({ ...out, model: before.model, max_tokens: before.max_tokens }).toEqual(before);
  });

  it('does not raise max_tokens below the cap, and defaults a missing one', () => {
    expect(
      codec.rewriteForPassthrough(
        { model: 'x', max_tokens: 100, messages: [] },
        deployment({ maxTokens: 8192 }),
      ).max_tokens,
    ).toBe(100);
    expect(codec.rewriteForPassthrough({ model: 'x', messages: [] }, deployment()).max_tokens).toBe(4096);
    expect(
      codec.rewriteForPassthrough({ model: 'x', messages: [] }, deployment({ maxTokens: 2000 })).max_tokens,
    ).toBe(2000);
  });

  it('lowers an enabled thinking budget the clamp pushed past max_tokens', () => {
    const body = {
      model: 'x',
      max_tokens: 32000,
      thinking: { type: 'enabled', budget_tokens: 16000 },
      messages: [],
    };
    codec.rewriteForPassthrough(body, deployment({ maxTokens: 8192 }));
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8191 });
    const fits = {
      model: 'x',
      max_tokens: 32000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [],
    };
    codec.rewriteForPassthrough(fits, deployment({ maxTokens: 8192 }));
    expect(fits.thinking.budget_tokens).toBe(2000);
  });

  it('leaves thinking blocks with an empty signature out of the history, and signed ones in', () => {
    const body = {
      model: 'x',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'from another provider', signature: '' },
            { type: 'thinking', thinking: 'real', signature: 'EqQBsig' },
            { type: 'text', text: 'a' },
          ],
        },
        { role: 'user', content: 'q2' },
      ],
    };
    const signedOnly = structuredClone(body.messages[1].content.slice(1));
    codec.rewriteForPassthrough(body, deployment());
    expect(body.messages[1].content).toEqual(signedOnly);
    expect(body.messages[0]).toEqual({ role: 'user', content: 'q' });
  });
});
