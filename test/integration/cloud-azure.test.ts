import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type Behaviour, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startYamlGateway } from '../helpers/yaml-gateway.js';

/**
 * Azure OpenAI through the gateway: the deployments URL shape with `api-version` and the v1 shape,
 * the chain's `model` as the deployment name, `api-key` or an Entra bearer token, the content filter
 * as a content-policy failure that `fallbacks.on_content_policy` moves on from, Azure catalogue
 * prices, and fallback both to and from an Azure deployment.
 */

let open: Array<{ close(): Promise<void> } | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

const FILTERED = {
  error: {
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
    type: null,
    param: 'prompt',
    code: 'content_filter',
    status: 400,
    innererror: {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: { hate: { filtered: true, severity: 'high' } },
    },
  },
};

async function world(
  opts: { extra?: string; fallbacks?: string; env?: Record<string, string> } = {},
  ...first: Behaviour[]
) {
  const az = await startFakeUpstream('openai', ...first);
  const v1 = await startFakeUpstream('openai', { kind: 'ok', text: 'v1 answered' });
  const other = await startFakeUpstream('openai', { kind: 'ok', text: 'other answered' });
  const origin = az.url;
  const yaml = `
litellm:
  providers:
    azure: { api_base: "${origin}", api_version: 2025-01-01-preview${opts.extra ?? ''} }
    azure_v1: { type: azure, api_base: "${v1.url}/openai/v1", api_key: az-v1-key }
    other: { type: openai_compatible, api_base: "${other.apiBase}" }
  models:
    gpt-4o:
      - { provider: azure, model: my-gpt4o-deployment }
      - { provider: other, model: m2 }
    gpt-4o-priced: [{ provider: azure, model: gpt-4o }]
    v1: [{ provider: azure_v1, model: gpt-4o-mini }]
    to-azure:
      - { provider: other, model: m2 }
      - { provider: azure, model: my-gpt4o-deployment }
    embed: [{ provider: azure, model: my-embedding }]
  fallbacks: { ${opts.fallbacks ?? 'on_content_policy: true'} }
  router: { num_retries: 0, timeout: 5 }
`;
  const gw = await startYamlGateway(yaml, { AZURE_API_KEY: 'az-secret-key', ...opts.env });
  open.push(az, v1, other, gw);
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  return { az, v1, other, gw, openai };
}

const ask = (c: OpenAI, model: string) =>
  c.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();

function only(u: FakeUpstream) {
  expect(u.requests).toHaveLength(1);
  return u.requests[0];
}

describe('Azure OpenAI', () => {
  it('calls the deployments URL with api-version and the api-key header, never the client key', async () => {
    const w = await world({}, { kind: 'ok', text: 'azure answered' });
    const { data } = await ask(w.openai, 'gpt-4o');
    expect(data.choices[0].message.content).toBe('azure answered');
    const r = only(w.az);
    expect(r.path).toBe(
      '/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2025-01-01-preview',
    );
    expect(r.headers['api-key']).toBe('az-secret-key');
    expect(r.headers.authorization).toBeUndefined();
    expect(JSON.stringify(r.headers)).not.toContain('client-key');
  });

  it('the v1 URL shape puts the deployment in the body, without api-version', async () => {
    const w = await world();
    const { data } = await ask(w.openai, 'v1');
    expect(data.choices[0].message.content).toBe('v1 answered');
    const r = only(w.v1);
    expect(r.path).toBe('/openai/v1/chat/completions');
    expect(r.body.model).toBe('gpt-4o-mini');
    expect(r.headers['api-key']).toBe('az-v1-key');
  });

  it('sends an Entra ID token as a Bearer instead of api-key', async () => {
    const w = await world({
      extra: ', azure_ad_token: "${AZURE_AD_TOKEN}"',
      env: { AZURE_AD_TOKEN: 'eyJ.entra.token' },
    });
    await ask(w.openai, 'gpt-4o');
    const r = only(w.az);
    expect(r.headers.authorization).toBe('Bearer eyJ.entra.token');
    expect(r.headers['api-key']).toBeUndefined();
  });

  it('streams, and carries an Anthropic client through translation', async () => {
    const w = await world({}, { kind: 'ok', text: 'streamed by azure' });
    const s = w.openai.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect((await s.finalChatCompletion()).choices[0].message.content).toBe('streamed by azure');
    const anthropic = new Anthropic({ baseURL: w.gw.url, apiKey: 'client-key', maxRetries: 0 });
    const m = await anthropic.messages
      .stream({ model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(m.content).toEqual([{ type: 'text', text: 'streamed by azure' }]);
    expect(
      w.az.requests.every((r) =>
        r.path.startsWith('/openai/deployments/my-gpt4o-deployment/chat/completions?'),
      ),
    ).toBe(true);
  });

  it('tool calls pass through', async () => {
    const w = await world({}, { kind: 'ok', tool: { name: 'get_weather', args: { city: 'Oslo' } } });
    const r = await w.openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const call = r.choices[0].message.tool_calls![0] as { function: { name: string; arguments: string } };
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Oslo' });
  });

  it("a content-filter 400 falls back when on_content_policy is set, and ends the request (as Azure's body) when not", async () => {
    const w = await world({}, { kind: 'status', status: 400, body: FILTERED });
    const { data, response } = await ask(w.openai, 'gpt-4o');
    expect(data.choices[0].message.content).toBe('other answered');
    expect(response.headers.get('x-agentbox-fallbacks')).toBe('1');

    const off = await world(
      { fallbacks: 'on_content_policy: false' },
      { kind: 'status', status: 400, body: FILTERED },
    );
    const err = await ask(off.openai, 'gpt-4o').catch((e: unknown) => e as { status: number; code: string });
    expect(err).toMatchObject({ status: 400, code: 'content_filter' });
    expect(off.other.requests).toHaveLength(0);
  });

  it('a 200 the content filter stopped moves on when on_content_policy is set', async () => {
    const filtered = {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' }],
      usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 },
    };
    const w = await world(
      {},
      { kind: 'raw', headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(filtered)] },
    );
    const { data } = await ask(w.openai, 'gpt-4o');
    expect(data.choices[0].message.content).toBe('other answered');
  });

  it('is a fallback target too: a 500 elsewhere moves on to Azure', async () => {
    const w = await world({}, { kind: 'ok', text: 'azure as fallback' });
    w.other.setBehaviours({ kind: 'status', status: 500, body: { error: { message: 'boom' } } });
    const { data, response } = await ask(w.openai, 'to-azure');
    expect(data.choices[0].message.content).toBe('azure as fallback');
    expect(response.headers.get('x-agentbox-deployment')).toBe('azure/my-gpt4o-deployment');
  });

  it('is priced from the catalogue when the deployment is named after the model', async () => {
    const w = await world({}, { kind: 'ok', text: 'priced' });
    const { response } = await ask(w.openai, 'gpt-4o-priced');
    const cost = Number(response.headers.get('x-agentbox-cost'));
    // Azure gpt-4o: $2.50 / MTok in, $10 / MTok out; the fake reports 11 in and 7 out.
    expect(cost).toBeCloseTo((11 * 2.5 + 7 * 10) / 1e6, 12);
  });

  it('embeddings use the deployment URL', async () => {
    const w = await world();
    const r = await w.openai.embeddings.create({ model: 'embed', input: 'hello' });
    expect(r.data[0].embedding).toHaveLength(3);
    expect(only(w.az).path).toBe(
      '/openai/deployments/my-embedding/embeddings?api-version=2025-01-01-preview',
    );
  });

  it('Responses clients (Codex) reach /openai/responses with the deployment as model', async () => {
    const completed = {
      type: 'response.completed',
      response: {
        id: 'resp_1',
        object: 'response',
        status: 'completed',
        model: 'my-gpt4o-deployment',
        output: [
          {
            type: 'message',
            id: 'm1',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: 'resp ok', annotations: [] }],
          },
        ],
        usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
      },
    };
    const w = await world(
      {},
      {
        kind: 'raw',
        headers: { 'content-type': 'application/json' },
        chunks: [JSON.stringify(completed.response)],
      },
    );
    const r = await w.openai.responses.create({ model: 'gpt-4o', input: 'hi' });
    expect(r.output_text).toBe('resp ok');
    const sent = w.az.requests[0];
    expect(sent.path).toBe('/openai/responses?api-version=2025-01-01-preview');
    expect(sent.body.model).toBe('my-gpt4o-deployment');
  });
});
