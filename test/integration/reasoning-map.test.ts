import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * Reasoning crosses dialects by one table: Messages `thinking` budgets ↔ Chat `reasoning_effort` ↔
 * Responses `reasoning.effort`, for OpenAI-compatible servers too when their provider says
 * `reasoning_effort: true`; one that says false refuses an explicit request for reasoning.
 */

let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  const loaded = makeConfig(
    [
      { name: 'yes', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'no', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'unsaid', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
    ],
    {
      'to-yes': [{ provider: 'yes', model: 'qwen3' }],
      'to-no': [{ provider: 'no', model: 'llama' }],
      'to-unsaid': [{ provider: 'unsaid', model: 'llama' }],
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
    },
  );
  loaded.config.providers.yes.reasoningEffort = true;
  loaded.config.providers.no.reasoningEffort = false;
  gw = await startTestGateway(loaded);
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

describe('Messages thinking → Chat reasoning_effort', () => {
  it.each([
    [2000, 'low'],
    [8000, 'medium'],
    [20000, 'high'],
  ])('budget %i → %s on a server that takes reasoning_effort', async (budget, effort) => {
    oa.setBehaviours({ kind: 'ok', text: 'thought' });
    const m = await anthropic.messages.create({
      model: 'to-yes',
      max_tokens: 21000,
      thinking: { type: 'enabled', budget_tokens: budget },
      messages: [{ role: 'user', content: 'think' }],
    });
    expect(m.content.find((b) => b.type === 'text')).toMatchObject({ text: 'thought' });
    expect(oa.requests.at(-1)!.body.reasoning_effort).toBe(effort);
  });

  it('a server that says it takes none refuses, naming thinking; one that has not said gets none', async () => {
    const params = {
      max_tokens: 21000,
      thinking: { type: 'enabled' as const, budget_tokens: 4096 },
      messages: [{ role: 'user' as const, content: 'think' }],
    };
    await expect(anthropic.messages.create({ model: 'to-no', ...params })).rejects.toMatchObject({
      status: 400,
      error: {
        error: { message: expect.stringMatching(/^thinking is not supported by deployment no\/llama/) },
      },
    });
    oa.setBehaviours({ kind: 'ok', text: 'plain' });
    await anthropic.messages.create({ model: 'to-unsaid', ...params });
    expect(oa.requests.at(-1)!.body).not.toHaveProperty('reasoning_effort');
  });

  it('Chat reasoning_effort passes through to a server that takes it', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'ok' });
    await openai.chat.completions.create({
      model: 'to-yes',
      reasoning_effort: 'low',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(oa.requests.at(-1)!.body.reasoning_effort).toBe('low');
  });
});

describe('Chat and Responses effort → Anthropic thinking budget', () => {
  it.each([
    ['low', 1024],
    ['medium', 4096],
    ['high', 16384],
  ] as const)('reasoning_effort %s → budget_tokens %i', async (effort, budget) => {
    an.setBehaviours({ kind: 'ok', text: 'ok' });
    await openai.chat.completions.create({
      model: 'to-anthropic',
      reasoning_effort: effort,
      max_completion_tokens: 40000,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(an.requests.at(-1)!.body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    await openai.responses.create({
      model: 'to-anthropic',
      reasoning: { effort },
      max_output_tokens: 40000,
      input: 'hi',
    });
    expect(an.requests.at(-1)!.body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
  });
});
