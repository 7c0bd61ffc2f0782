import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * Anthropic refuses enabled thinking (a budget) in a tool round whose assistant turn does not lead with thinking (the
 * call came from another provider, e.g. before a fallback). The gateway leaves thinking off for
 * that one request and says so in `x-agentbox-dropped`, passed through or translated; the fake
 * upstream refuses such a request the way Anthropic does.
 */

let an: FakeUpstream;
let gw: Gateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  an = await startFakeUpstream('anthropic');
  an.checkThinking = true;
  gw = await startTestGateway(
    makeConfig([{ name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' }], {
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
      'to-anthropic-small': [{ provider: 'anthropic', model: 'claude-up', maxTokens: 1000 }],
    }),
  );
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await an.close();
});

const tools = [{ name: 'lookup', input_schema: { type: 'object' as const, properties: {} } }];

describe('a tool round without thinking to lead with', () => {
  it('Messages passthrough: thinking and its clearing edit are left off and listed', async () => {
    an.setBehaviours({ kind: 'ok', text: 'done' });
    const { data, response } = await anthropic.beta.messages
      .create({
        model: 'to-anthropic',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
        tools,
        messages: [
          { role: 'user', content: 'look it up' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'lookup', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'found' }] },
        ],
      })
      .withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'done' });
    expect(response.headers.get('x-agentbox-dropped')).toBe('thinking');
    const sent = an.requests.at(-1)!.body;
    expect(sent).not.toHaveProperty('thinking');
    expect(sent).not.toHaveProperty('context_management');
  });

  it('the same request in a new round (the last turn answered without tools) keeps thinking', async () => {
    an.setBehaviours({ kind: 'ok', text: 'done' });
    const { response } = await anthropic.messages
      .create({
        model: 'to-anthropic',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        tools,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
          { role: 'user', content: 'again' },
        ],
      })
      .withResponse();
    expect(response.headers.get('x-agentbox-dropped')).toBeNull();
    expect(an.requests.at(-1)!.body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  it('translated (Chat reasoning_effort → Anthropic): reasoning_effort is left off and listed', async () => {
    an.setBehaviours({ kind: 'ok', text: 'done' });
    const { data, response } = await openai.chat.completions
      .create({
        model: 'to-anthropic',
        reasoning_effort: 'medium',
        tools: [
          { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
        ],
        messages: [
          { role: 'user', content: 'look it up' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'found' },
        ],
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('done');
    expect(response.headers.get('x-agentbox-dropped')).toBe('reasoning_effort');
    expect(an.requests.at(-1)!.body).not.toHaveProperty('thinking');
  });

  it('a max_tokens cap too small for the minimum budget leaves reasoning off and says so', async () => {
    an.setBehaviours({ kind: 'ok', text: 'short' });
    const { response } = await openai.chat.completions
      .create({
        model: 'to-anthropic-small',
        reasoning_effort: 'low',
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    expect(response.headers.get('x-agentbox-dropped')).toBe('reasoning_effort');
    const sent = an.requests.at(-1)!.body;
    expect(sent).not.toHaveProperty('thinking');
    expect(sent.max_tokens).toBe(1000);
  });
});
