import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { validateOpenAI } from '../helpers/openai-schema.js';

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
      { name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
    ],
    {
      'to-chat': [{ provider: 'oai', model: 'gpt-up' }],
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
    },
  );
  gw = await startTestGateway(loaded);
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

const weatherTool = {
  name: 'get_weather',
  description: 'weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe.each(['to-anthropic', 'to-chat'])('Anthropic SDK → %s', (model) => {
  const up = () => (model === 'to-anthropic' ? an : oa);

  it('messages.create returns text', async () => {
    up().setBehaviours({ kind: 'ok', text: 'hello there' });
    const m = await anthropic.messages.create({
      model,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(m.content[0].type === 'text' && m.content[0].text).toBe('hello there');
    expect(m.stop_reason).toBe('end_turn');
    expect(m.usage.output_tokens).toBe(7);
    if (model === 'to-anthropic') {
      const r = an.requests.at(-1)!;
      expect(r.headers['x-api-key']).toBe('sk-ant-upstream');
      expect(r.body.model).toBe('claude-up');
    }
  });

  it('stream().finalMessage() returns a tool call', async () => {
    up().setBehaviours({ kind: 'ok', tool: { name: 'get_weather', args: { city: 'Oslo' } } });
    const final = await anthropic.messages
      .stream({
        model,
        max_tokens: 100,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'weather in Oslo?' }],
      })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const block = final.content.find((b) => b.type === 'tool_use');
    expect(block && block.type === 'tool_use' && block.input).toEqual({ city: 'Oslo' });
    expect(block && block.type === 'tool_use' && block.name).toBe('get_weather');
  });

  it('countTokens answers a positive count', async () => {
    const r = await anthropic.messages.countTokens({
      model,
      messages: [{ role: 'user', content: 'count these tokens please' }],
    });
    expect(r.input_tokens).toBeGreaterThan(0);
    // Anthropic upstreams count for themselves; others are counted with a real tokenizer.
    if (model === 'to-anthropic') expect(r.input_tokens).toBe(42);
    else expect(r.input_tokens).toBeLessThan(42);
  });
});

describe.each(['to-chat', 'to-anthropic'])('OpenAI Responses → %s', (model) => {
  const up = () => (model === 'to-anthropic' ? an : oa);

  it('responses.create returns output_text', async () => {
    up().setBehaviours({ kind: 'ok', text: 'responses text' });
    const r = await openai.responses.create({ model, input: 'hi', instructions: 'be brief' });
    expect(r.output_text).toBe('responses text');
    expect(validateOpenAI('Response', r)).toEqual([]);
    expect(r.usage?.output_tokens).toBe(7);
  });

  it('responses.stream().finalResponse() returns a function call', async () => {
    up().setBehaviours({ kind: 'ok', tool: { name: 'get_weather', args: { city: 'Rome' } } });
    const final = await openai.responses
      .stream({
        model,
        input: 'weather in Rome?',
        tools: [
          { type: 'function', name: 'get_weather', parameters: weatherTool.input_schema, strict: false },
        ],
      })
      .finalResponse();
    const call = final.output.find((o) => o.type === 'function_call');
    expect(call && call.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ city: 'Rome' });
    expect(final.status).toBe('completed');
  });
});

describe('models list for both SDKs', () => {
  it('the Anthropic SDK pages through /v1/models', async () => {
    const ids = [];
    for await (const m of anthropic.models.list()) ids.push(m.id);
    expect(ids).toEqual(['to-chat', 'to-anthropic']);
  });
});
