import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * The same request gets the same answer on every deployment: what is invalid in the client's own
 * dialect is refused before a deployment is chosen, passthrough or translated alike. And a
 * Messages stream served by a Chat upstream reports input tokens where SDKs read them.
 */

let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  gw = await startTestGateway(
    makeConfig(
      [
        { name: 'compat', type: 'openai_compatible', apiBase: oa.apiBase },
        { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
        { name: 'openai', type: 'openai', apiBase: oa.apiBase, apiKey: 'sk-openai-upstream' },
      ],
      {
        'to-openai': [{ provider: 'openai', model: 'gpt-5.5' }],
        'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
        'to-chat': [{ provider: 'compat', model: 'llama' }],
      },
    ),
  );
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text) as unknown };
}

describe('invalid in the client’s dialect: refused the same way on every deployment', () => {
  it('a Messages request without max_tokens: the same 400 passed through or translated; nothing sent', async () => {
    const before = an.requests.length + oa.requests.length;
    const answers = await Promise.all(
      ['to-anthropic', 'to-chat'].map((model) =>
        post('/v1/messages', { model, messages: [{ role: 'user', content: 'hi' }] }),
      ),
    );
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(a.json).toEqual({
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      });
    }
    expect(an.requests.length + oa.requests.length).toBe(before);
  });

  it('a Chat request without messages: the same 400 passed through or translated', async () => {
    const answers = await Promise.all(
      ['to-chat', 'to-anthropic'].map((model) => post('/v1/chat/completions', { model })),
    );
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0].status).toBe(400);
    expect(answers[0].json).toMatchObject({ error: { param: 'messages' } });
  });
});

describe('usage as each SDK reads it', () => {
  it('a Messages stream from a Chat upstream reports input tokens in message_start and message_delta', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'counted', usage: { input: 321, output: 5 } });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const stream = anthropic.messages.stream({
      model: 'to-chat',
      max_tokens: 50,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'count the tokens of this prompt, please' }],
    });
    let startInput = -1;
    let deltaInput: number | null | undefined;
    stream.on('streamEvent', (ev) => {
      if (ev.type === 'message_start') startInput = ev.message.usage.input_tokens;
      if (ev.type === 'message_delta') deltaInput = ev.usage.input_tokens;
    });
    const final = await stream.finalMessage();
    // The local count of the prompt (before the upstream has said anything) …
    expect(startInput).toBeGreaterThan(5);
    expect(startInput).toBeLessThan(100);
    // … and the upstream's own figure once it comes.
    expect(deltaInput).toBe(321);
    expect(final.usage.input_tokens).toBe(321);
    expect(final.usage.output_tokens).toBe(5);
  });
});

describe('token counts say who counted', () => {
  it('count_tokens: the upstream’s counter on an Anthropic deployment, the named tokenizer otherwise', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const params = { messages: [{ role: 'user' as const, content: 'how many tokens is this?' }] };
    const local = await anthropic.messages.countTokens({ model: 'to-chat', ...params }).withResponse();
    expect(local.data.input_tokens).toBeGreaterThan(3);
    expect(local.response.headers.get('x-agentbox-count-source')).toBe('tokenizer:o200k_base');
    an.setBehaviours({ kind: 'ok' });
    const up = await anthropic.messages.countTokens({ model: 'to-anthropic', ...params }).withResponse();
    expect(up.response.headers.get('x-agentbox-count-source')).toBe('upstream:anthropic/claude-up');
    expect(an.requests.at(-1)!.path).toBe('/v1/messages/count_tokens');
  });

  it('count_tokens on a Responses-speaking deployment asks its /responses/input_tokens, else the tokenizer', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const params = { system: 'terse', messages: [{ role: 'user' as const, content: 'how many tokens?' }] };
    oa.setBehaviours({
      kind: 'raw',
      headers: { 'content-type': 'application/json' },
      chunks: [JSON.stringify({ object: 'response.input_tokens', input_tokens: 77 })],
    });
    const up = await anthropic.messages.countTokens({ model: 'to-openai', ...params }).withResponse();
    expect(up.data.input_tokens).toBe(77);
    expect(up.response.headers.get('x-agentbox-count-source')).toBe('upstream:openai/gpt-5.5');
    const sent = oa.requests.at(-1)!;
    expect(sent.path).toBe('/v1/responses/input_tokens');
    expect(sent.headers.authorization).toBe('Bearer sk-openai-upstream');
    expect(sent.body).toMatchObject({ model: 'gpt-5.5', instructions: 'terse' });
    expect(sent.body).not.toHaveProperty('stream');
    oa.setBehaviours({ kind: 'status', status: 404 });
    const local = await anthropic.messages.countTokens({ model: 'to-openai', ...params }).withResponse();
    expect(local.response.headers.get('x-agentbox-count-source')).toBe('tokenizer:o200k_base');
    expect(local.data.input_tokens).toBeGreaterThan(3);
  });
});
