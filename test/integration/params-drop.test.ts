import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * A request parameter the chosen deployment cannot take is refused with a 400 that names it and the
 * deployment, in the client's dialect, before anything is sent upstream; under drop_params it is left
 * out and the response lists it in x-agentbox-dropped. Real SDKs against fake upstreams.
 */

let oa: FakeUpstream;
let an: FakeUpstream;
let strict: Gateway;
let lenient: Gateway;

function providers() {
  return [
    { name: 'compat', type: 'openai_compatible' as const, apiBase: oa.apiBase },
    { name: 'openai', type: 'openai' as const, apiBase: oa.apiBase, apiKey: 'sk-openai-upstream' },
    { name: 'anthropic', type: 'anthropic' as const, apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
  ];
}

beforeAll(async () => {
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  strict = await startTestGateway(
    makeConfig(providers(), {
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
      'to-anthropic-drop': [{ provider: 'anthropic', model: 'claude-up', dropParams: true }],
      'to-o4': [{ provider: 'openai', model: 'o4-mini' }],
      'to-gpt': [{ provider: 'openai', model: 'gpt-4o' }],
      'to-compat': [{ provider: 'compat', model: 'llama' }],
      'to-o4-forced': [{ provider: 'openai', model: 'o4-mini', force: { temperature: 1 }, drop: ['user'] }],
      'to-compat-defaults': [{ provider: 'compat', model: 'llama', params: { temperature: 0.9, seed: 3 } }],
      chain: [
        { provider: 'anthropic', model: 'claude-sonnet-4-5', contextWindow: 200_000 },
        { provider: 'openai', model: 'o4-mini', contextWindow: 128_000 },
        { provider: 'compat', model: 'llama' },
      ],
    }),
  );
  lenient = await startTestGateway(
    makeConfig(
      providers(),
      {
        'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
        'to-anthropic-strict': [{ provider: 'anthropic', model: 'claude-up', dropParams: false }],
        'to-o4': [{ provider: 'openai', model: 'o4-mini' }],
      },
      { dropParams: true },
    ),
  );
});
afterAll(async () => {
  await strict.stop(100);
  await lenient.stop(100);
  await oa.close();
  await an.close();
});

/** This SDK's types no longer list the sampling parameters the API still takes. */
type MessageParams = Anthropic.MessageCreateParamsNonStreaming;

const openaiFor = (gw: Gateway) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
const anthropicFor = (gw: Gateway) => new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });

/** The SDK's error: `error` is the OpenAI SDK's inner error object, or the Anthropic SDK's whole body. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; error: any }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; error: any };
    return { status: err.status, error: err.error };
  }
  throw new Error('the request was not refused');
}

describe('drop_params false (the default): refused out loud', () => {
  it('Chat seed to an Anthropic deployment: 400 naming seed and the deployment; nothing sent upstream', async () => {
    const before = an.requests.length;
    const r = await refusal(
      openaiFor(strict).chat.completions.create({
        model: 'to-anthropic',
        seed: 7,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(r.status).toBe(400);
    expect(r.error.param).toBe('seed');
    expect(r.error.type).toBe('invalid_request_error');
    expect(r.error.message).toMatch(/seed is not supported by deployment anthropic\/claude-up/);
    expect(r.error.message).toMatch(/drop_params/);
    expect(an.requests.length).toBe(before);
  });

  it.each([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true, top_logprobs: 2 }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['service_tier', { service_tier: 'flex' as const }],
    ['metadata', { metadata: { run: 'a' } }],
  ])('Chat %s to an Anthropic deployment is refused', async (param, extra) => {
    const r = await refusal(
      openaiFor(strict).chat.completions.create({
        model: 'to-anthropic',
        messages: [{ role: 'user', content: 'hi' }],
        ...extra,
      }),
    );
    expect(r.status).toBe(400);
    expect(r.error.param).toBe(param);
  });

  it('defaults that ask for nothing (n: 1, logprobs: false, store: false) are not refusals', async () => {
    an.setBehaviours({ kind: 'ok', text: 'fine' });
    const c = await openaiFor(strict).chat.completions.create({
      model: 'to-anthropic',
      n: 1,
      logprobs: false,
      store: false,
      user: 'u-42',
      service_tier: 'default',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(c.choices[0].message.content).toBe('fine');
    const up = an.requests.at(-1)!.body;
    expect(up.metadata).toEqual({ user_id: 'u-42' });
    expect(up.service_tier).toBe('standard_only');
    for (const k of ['n', 'logprobs', 'store', 'user']) expect(up).not.toHaveProperty(k);
  });

  it('Messages temperature to an OpenAI reasoning model: an Anthropic-shaped 400 naming temperature', async () => {
    const before = oa.requests.length;
    const r = await refusal(
      anthropicFor(strict).messages.create({
        model: 'to-o4',
        max_tokens: 50,
        temperature: 0.2,
        messages: [{ role: 'user', content: 'hi' }],
      } as MessageParams),
    );
    expect(r.status).toBe(400);
    expect(r.error.type).toBe('error');
    expect(r.error.error.type).toBe('invalid_request_error');
    expect(r.error.error.message).toMatch(/^temperature is not supported by deployment openai\/o4-mini/);
    expect(oa.requests.length).toBe(before);
  });

  it('Chat passthrough to an OpenAI reasoning model applies the family rules too', async () => {
    const r = await refusal(
      openaiFor(strict).chat.completions.create({
        model: 'to-o4',
        temperature: 0.2,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(r.status).toBe(400);
    expect(r.error.param).toBe('temperature');
    oa.setBehaviours({ kind: 'ok', text: 'ok' });
    await openaiFor(strict).chat.completions.create({
      model: 'to-o4',
      temperature: 1,
      max_tokens: 300,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const up = oa.requests.at(-1)!.body;
    expect(up.max_completion_tokens).toBe(300);
    expect(up).not.toHaveProperty('max_tokens');
    expect(up.temperature).toBe(1);
  });

  it('Messages stop_sequences beyond OpenAI’s four: refused by that name', async () => {
    const r = await refusal(
      anthropicFor(strict).messages.create({
        model: 'to-gpt',
        max_tokens: 50,
        stop_sequences: ['a', 'b', 'c', 'd', 'e'],
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(r.status).toBe(400);
    expect(r.error.error.message).toMatch(/^stop_sequences is not supported by deployment openai\/gpt-4o/);
  });

  it('Responses top_logprobs: carried to a Chat upstream as logprobs, refused by name on Anthropic', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'probable' });
    await openaiFor(strict).responses.create({ model: 'to-compat', input: 'hi', top_logprobs: 3 });
    expect(oa.requests.at(-1)!.body).toMatchObject({ logprobs: true, top_logprobs: 3 });
    const r = await refusal(
      openaiFor(strict).responses.create({ model: 'to-anthropic', input: 'hi', top_logprobs: 3 }),
    );
    expect(r.status).toBe(400);
    expect(r.error.param).toBe('top_logprobs');
  });

  it('tool_choice allowed_tools is carried to Anthropic by declaring only the allowed tools', async () => {
    an.setBehaviours({ kind: 'ok', text: 'limited' });
    const fn = (name: string) => ({
      type: 'function' as const,
      function: { name, parameters: { type: 'object' } },
    });
    await openaiFor(strict).chat.completions.create({
      model: 'to-anthropic',
      tools: [fn('a'), fn('b'), fn('c')],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'b' } }] },
      },
      messages: [{ role: 'user', content: 'hi' }],
    });
    const up = an.requests.at(-1)!.body;
    expect(up.tools.map((t: { name: string }) => t.name)).toEqual(['b']);
    expect(up.tool_choice).toEqual({ type: 'any' });
    const r = await refusal(
      openaiFor(strict).chat.completions.create({
        model: 'to-anthropic',
        tools: [fn('a')],
        tool_choice: {
          type: 'allowed_tools',
          allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'zz' } }] },
        },
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(r.status).toBe(400);
    expect(r.error.param).toBe('tool_choice.allowed_tools.tools');
  });

  it('Messages top_k, metadata.user_id and service_tier are carried to a Chat upstream', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'carried' });
    const m = await anthropicFor(strict).messages.create({
      model: 'to-compat',
      max_tokens: 50,
      top_k: 7,
      metadata: { user_id: 'device-1' },
      service_tier: 'standard_only',
      messages: [{ role: 'user', content: 'hi' }],
    } as MessageParams);
    expect(m.content[0].type === 'text' && m.content[0].text).toBe('carried');
    const up = oa.requests.at(-1)!.body;
    expect(up).toMatchObject({ top_k: 7, user: 'device-1', service_tier: 'default' });
    expect(up).not.toHaveProperty('metadata');
  });
});

describe('drop_params true: dropped, and the response says which', () => {
  it('a chain entry with drop_params drops seed and logprobs and lists them in x-agentbox-dropped', async () => {
    an.setBehaviours({ kind: 'ok', text: 'dropped' });
    const { data, response } = await openaiFor(strict)
      .chat.completions.create({
        model: 'to-anthropic-drop',
        seed: 7,
        logprobs: true,
        temperature: 0.5,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('dropped');
    expect(response.headers.get('x-agentbox-dropped')).toBe('seed,logprobs');
    const up = an.requests.at(-1)!.body;
    expect(up).not.toHaveProperty('seed');
    expect(up).not.toHaveProperty('logprobs');
    expect(up.temperature).toBe(0.5);
  });

  it('litellm.drop_params: true applies gateway-wide, in streams too', async () => {
    an.setBehaviours({ kind: 'ok', text: 'streamed' });
    const { data: stream, response } = await openaiFor(lenient)
      .chat.completions.create({
        model: 'to-anthropic',
        n: 3,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('streamed');
    expect(response.headers.get('x-agentbox-dropped')).toBe('n');
    expect(an.requests.at(-1)!.body).not.toHaveProperty('n');
  });

  it('a request with nothing to drop carries no header', async () => {
    an.setBehaviours({ kind: 'ok', text: 'plain' });
    const { response } = await openaiFor(lenient)
      .chat.completions.create({ model: 'to-anthropic', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-agentbox-dropped')).toBeNull();
  });

  it('a chain entry with drop_params: false still refuses under a lenient gateway', async () => {
    const r = await refusal(
      openaiFor(lenient).chat.completions.create({
        model: 'to-anthropic-strict',
        seed: 1,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(r.status).toBe(400);
    expect(r.error.param).toBe('seed');
  });

  it('family rules drop under drop_params: temperature to a reasoning model, via the Anthropic SDK', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'reasoned' });
    const { data, response } = await anthropicFor(lenient)
      .messages.create({
        model: 'to-o4',
        max_tokens: 50,
        temperature: 0.2,
        messages: [{ role: 'user', content: 'hi' }],
      } as MessageParams)
      .withResponse();
    expect(data.content[0].type === 'text' && data.content[0].text).toBe('reasoned');
    expect(response.headers.get('x-agentbox-dropped')).toBe('temperature');
    expect(oa.requests.at(-1)!.body).not.toHaveProperty('temperature');
  });
});

describe('chain-entry overrides: params are defaults, force wins, drop removes', () => {
  it('force sets temperature over the client’s on a reasoning model (passthrough and translated); drop removes user', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'forced' });
    const { response } = await openaiFor(strict)
      .chat.completions.create({
        model: 'to-o4-forced',
        temperature: 0.2,
        user: 'someone',
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    const chat = oa.requests.at(-1)!.body;
    expect(chat.temperature).toBe(1);
    expect(chat).not.toHaveProperty('user');
    expect(response.headers.get('x-agentbox-dropped')).toBe('user');

    const { response: r2 } = await anthropicFor(strict)
      .messages.create({
        model: 'to-o4-forced',
        max_tokens: 20,
        temperature: 0.3,
        messages: [{ role: 'user', content: 'hi' }],
      } as MessageParams)
      .withResponse();
    const translated = oa.requests.at(-1)!.body;
    expect(translated.temperature).toBe(1);
    expect(translated.max_completion_tokens).toBe(20);
    expect(r2.headers.get('x-agentbox-dropped')).toBeNull();
  });

  it('params are defaults: the request’s own value wins, missing ones are filled', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'defaults' });
    await openaiFor(strict).chat.completions.create({
      model: 'to-compat-defaults',
      temperature: 0.1,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(oa.requests.at(-1)!.body).toMatchObject({ temperature: 0.1, seed: 3 });
  });
});

describe('/model/info and /v1/models show the rules, the overrides and the effective context window', () => {
  it('lists each deployment’s family rules, drop_params, force and drop; the alias’s smallest window', async () => {
    const info = (await (await fetch(`${strict.url}/model/info`)).json()) as {
      data: Array<{ model_name: string; model_info: Record<string, any> }>;
    };
    const chain = info.data.filter((r) => r.model_name === 'chain').map((r) => r.model_info);
    expect(chain.map((m) => m.alias_context_window)).toEqual([128_000, 128_000, 128_000]);
    expect(chain[0].model_rules).toContain('structured output: native (output_config.format)');
    expect(chain[1].model_rules).toEqual(expect.arrayContaining(['temperature 1 only', 'top_p 1 only']));
    expect(chain[2].model_rules).toEqual([]);
    const forced = info.data.find((r) => r.model_name === 'to-o4-forced')!.model_info;
    expect(forced).toMatchObject({ force: { temperature: 1 }, drop: ['user'], drop_params: false });
    const dropping = info.data.find((r) => r.model_name === 'to-anthropic-drop')!.model_info;
    expect(dropping.drop_params).toBe(true);
    const old = info.data.find((r) => r.model_name === 'to-anthropic')!.model_info;
    expect(old.model_rules).toContain('structured output: a forced answer tool, unwrapped into text');

    const models = await openaiFor(strict).models.list();
    const byId = new Map(models.data.map((m) => [m.id, m as unknown as { context_window: number | null }]));
    expect(byId.get('chain')!.context_window).toBe(128_000);
    expect(byId.get('to-compat')!.context_window).toBeNull();
  });
});
