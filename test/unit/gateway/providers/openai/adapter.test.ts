import { describe, expect, it } from 'vitest';
import type { WireCodec } from '../../../../../src/gateway/providers/types.js';
import {
  createOpenAIAdapter,
  ollamaAdapter,
  openaiAdapter,
  openaiCompatibleAdapter,
} from '../../../../../src/gateway/providers/openai/adapter.js';
import { deployment } from './helpers.js';

const fakeResponses = { dialect: 'openai-responses', path: '/responses' } as unknown as WireCodec;

describe('OpenAI-family adapters', () => {
  it('describe themselves', () => {
    expect(openaiAdapter).toMatchObject({
      type: 'openai',
      native: 'openai-chat',
      needsKey: true,
      defaultApiBase: 'https://api.openai.com/v1',
    });
    expect(ollamaAdapter).toMatchObject({
      type: 'ollama',
      needsKey: false,
      defaultApiBase: 'http://127.0.0.1:11434/v1',
    });
    expect(openaiCompatibleAdapter).toMatchObject({ type: 'openai_compatible', needsKey: false });
    for (const a of [openaiAdapter, ollamaAdapter, openaiCompatibleAdapter]) {
      expect(a.embeddings).toEqual({ path: '/embeddings' });
      expect(a.wires['openai-chat']?.path).toBe('/chat/completions');
    }
  });

  it('offer the Responses wire only for type openai when given', () => {
    const withR = createOpenAIAdapter({
      type: 'openai',
      defaultApiBase: 'x',
      needsKey: true,
      responsesWire: fakeResponses,
    });
    expect(withR.wires['openai-responses']).toBe(fakeResponses);
    expect(Object.keys(openaiAdapter.wires)).toEqual(['openai-chat']);
    const compat = createOpenAIAdapter({
      type: 'openai_compatible',
      defaultApiBase: 'x',
      needsKey: false,
      responsesWire: fakeResponses,
    });
    expect(compat.wires['openai-responses']).toBeUndefined();
  });

  it("send the provider's key and configured headers, never the client's", () => {
    const d = deployment({}, { headers: { 'OpenAI-Organization': 'org-1' } });
    const h = openaiAdapter.headers(d, { authorization: 'Bearer client-key', 'x-api-key': 'client-key' });
    expect(h).toEqual({ authorization: 'Bearer sk-test-provider-key', 'openai-organization': 'org-1' });
    expect(
      ollamaAdapter.headers(deployment({}, { apiKey: undefined, keyState: 'not_needed' }), {
        authorization: 'Bearer client-key',
      }),
    ).toEqual({});
  });

  describe('rewriteForPassthrough', () => {
    const chat = openaiAdapter.wires['openai-chat']!;
    it('sets the model, clamps max tokens, merges params under and asks for usage', () => {
      const body: Record<string, unknown> = {
        model: 'default',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 64000,
        temperature: 0.2,
        stream: true,
        stream_options: { include_obfuscation: false },
      };
      const out = chat.rewriteForPassthrough(
        body,
        deployment({ model: 'gpt-4o-mini', maxTokens: 4096, params: { temperature: 1, seed: 3 } }),
      );
      expect(out).toBe(body);
      expect(out).toEqual({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 4096,
        temperature: 0.2,
        seed: 3,
        stream: true,
        stream_options: { include_obfuscation: false, include_usage: true },
      });
    });
    it('leaves non-stream bodies without stream_options and small max tokens alone', () => {
      const body: Record<string, unknown> = { model: 'x', messages: [], max_completion_tokens: 10 };
      expect(chat.rewriteForPassthrough(body, deployment({ maxTokens: 4096 }))).toEqual({
        model: 'gpt-4o',
        messages: [],
        max_completion_tokens: 10,
      });
    });
  });
});
