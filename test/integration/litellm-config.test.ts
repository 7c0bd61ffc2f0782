import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * LiteLLM proxy files from LiteLLM's docs (see each fixture's header), their api_bases pointed at
 * fake upstreams on 127.0.0.1, run by the real gateway: each alias routes where LiteLLM would, with
 * the provider's auth header, fallbacks in LiteLLM's order and the master key enforced.
 */

let open: Array<FakeUpstream | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/litellm/${name}`, import.meta.url), 'utf8');

async function run(text: string, env: Record<string, string> = {}): Promise<Gateway> {
  const r = loadConfigText(text, { path: 'config.yaml', env });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  r.loaded.config.port = 0;
  const gw = await startTestGateway(r.loaded);
  open.push(gw);
  return gw;
}

async function fake(format: 'openai' | 'anthropic'): Promise<FakeUpstream> {
  const f = await startFakeUpstream(format, { kind: 'ok', text: `${format} answers` });
  open.push(f);
  return f;
}

async function chat(gw: Gateway, model: string, headers: Record<string, string> = {}) {
  const res = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as any };
}

describe('docs: load balancing + fallbacks + context_window_fallbacks', () => {
  async function setup() {
    const openai = await fake('openai');
    const text = fixture('docs-load-balancing.yaml')
      .replaceAll('api_key: <my-openai-key>', `api_key: sk-fake-openai\n        api_base: ${openai.apiBase}`)
      .replace(/^ {2}redis_.*$/gm, '');
    return { openai, gw: await run(text) };
  }

  it('zephyr-beta has no servable deployment here (huggingface/), so its fallback group gpt-4o answers', async () => {
    const { openai, gw } = await setup();
    const r = await chat(gw, 'zephyr-beta');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-deployment']).toBe('openai/gpt-4o');
    expect(openai.requests.map((q) => q.body.model)).toEqual(['gpt-4o']);
    expect(openai.requests[0].headers.authorization).toBe('Bearer sk-fake-openai');
  });

  it('a context-window error on gpt-4o goes to gpt-3.5-turbo-16k; a 500 has no fallback for gpt-4o', async () => {
    const { openai, gw } = await setup();
    openai.setBehaviours({ kind: 'context' }, { kind: 'ok', text: 'bigger' });
    const r = await chat(gw, 'gpt-4o');
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe('bigger');
    expect(r.headers['x-agentbox-fallbacks']).toBe('1');
    expect(openai.requests.map((q) => q.body.model)).toEqual(['gpt-4o', 'gpt-3.5-turbo-16k']);

    openai.requests.length = 0;
    openai.setBehaviours({ kind: 'status', status: 500, body: { error: { message: 'boom' } } });
    const failed = await chat(gw, 'gpt-4o');
    expect(failed.status).toBe(500);
    expect(new Set(openai.requests.map((q) => q.body.model))).toEqual(new Set(['gpt-4o']));
  });

  it('model_group_alias gpt-4 routes to the gpt-4o group', async () => {
    const { openai, gw } = await setup();
    expect((await chat(gw, 'gpt-4')).status).toBe(200);
    expect(openai.requests.map((q) => q.body.model)).toEqual(['gpt-4o']);
  });
});

describe('docs: quick start (master_key sk-1234, vllm behind openai/ + api_base)', () => {
  it('enforces the master key and sends the deployment key upstream, never the client one', async () => {
    const vllm = await fake('openai');
    const gw = await run(fixture('docs-quick-start.yaml').replace('http://0.0.0.0:4000/v1', vllm.apiBase));
    expect((await chat(gw, 'vllm-models')).status).toBe(401);
    expect((await chat(gw, 'vllm-models', { authorization: 'Bearer sk-12345' })).status).toBe(401);
    expect(vllm.requests).toHaveLength(0);

    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-1234', maxRetries: 0 });
    const done = await client.chat.completions.create({
      model: 'vllm-models',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(done.choices[0].message.content).toBe('openai answers');
    expect(vllm.requests[0].body.model).toBe('facebook/opt-125m');
    expect(vllm.requests[0].headers.authorization).toBe('Bearer none');
    expect(JSON.stringify(vllm.requests[0].headers)).not.toContain('sk-1234');
  });

  it('an alias whose deployments cannot serve answers 503 naming why, and /health shows unsupported', async () => {
    const gw = await run(fixture('docs-quick-start.yaml'));
    // Bedrock is served, but this environment has no region and no AWS credentials: said, not guessed.
    const r = await chat(gw, 'bedrock-claude-v1', { authorization: 'Bearer sk-1234' });
    expect(r.status).toBe(503);
    expect(r.json.error.message).toContain(
      'bedrock/anthropic.claude-instant-v1: key missing (set AWS_REGION (or region: on provider "bedrock"))',
    );
    const health = await request(`${gw.url}/health`, { headers: { authorization: 'Bearer sk-1234' } });
    const h = (await health.body.json()) as any;
    // The wildcard entry has no agentbox equivalent.
    expect(h.deployments.filter((d: any) => d.state === 'unsupported').map((d: any) => d.alias)).toEqual([
      '*',
    ]);
    expect(h.deployments.filter((d: any) => d.state === 'no_key').map((d: any) => d.alias)).toEqual([
      'gpt-4o',
      'gpt-4o',
      'bedrock-claude-v1',
      'anthropic-claude',
    ]);
    const info = await request(`${gw.url}/v1/model/info`, { headers: { authorization: 'Bearer sk-1234' } });
    const rows = ((await info.body.json()) as any).data;
    expect(rows.find((x: any) => x.model_name === '*').model_info).toMatchObject({
      state: 'unsupported',
      provider_type: null,
      reason:
        'model_list[5]: LiteLLM infers the provider of "*" from its model map; write it as <provider>/*',
    });
    // Readiness shows the config's details to the master key only.
    const ready = (await (
      await request(`${gw.url}/health/readiness`, { headers: { authorization: 'Bearer sk-1234' } })
    ).body.json()) as any;
    expect(ready.ignored.map((i: any) => i.path)).toEqual([
      'model_list[4].model_info.version',
      'litellm_settings.success_callback',
      'general_settings.alerting',
    ]);
  });
});

describe('docs: context-window, content-policy and default fallbacks', () => {
  async function setup() {
    const small = await fake('openai');
    const large = await fake('openai');
    const claude = await fake('anthropic');
    const text = fixture('docs-reliability-fallbacks.yaml')
      .replace(
        'api_key: os.environ/OPENAI_API_KEY',
        `api_key: os.environ/OPENAI_API_KEY\n      api_base: ${large.apiBase}`,
      )
      .replace(
        'api_key: os.environ/ANTHROPIC_API_KEY',
        `api_key: os.environ/ANTHROPIC_API_KEY\n      api_base: ${claude.url}`,
      );
    const gw = await run(text, {
      AZURE_API_BASE: small.apiBase,
      AZURE_API_KEY: 'az-secret',
      OPENAI_API_KEY: 'sk-openai-secret',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
    });
    return { small, large, claude, gw };
  }

  it('context window: gpt-3.5-turbo-large, then claude-opus, in the list order', async () => {
    const { small, large, claude, gw } = await setup();
    small.setBehaviours({ kind: 'context' });
    large.setBehaviours({ kind: 'context' });
    const r = await chat(gw, 'gpt-3.5-turbo-small');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-deployment']).toBe('anthropic/claude-3-opus-20240229');
    expect([small.requests.length, large.requests.length, claude.requests.length]).toEqual([1, 1, 1]);
    expect(small.requests[0].headers.authorization).toBe('Bearer az-secret');
    expect(large.requests[0].headers.authorization).toBe('Bearer sk-openai-secret');
    expect(claude.requests[0].headers['x-api-key']).toBe('sk-ant-secret');
    expect(claude.requests[0].path).toBe('/v1/messages');
  });

  it('content policy: straight to claude-opus (its content_policy_fallbacks), not the context-window groups', async () => {
    const { small, large, claude, gw } = await setup();
    small.setBehaviours({
      kind: 'status',
      status: 400,
      body: {
        error: {
          message: 'rejected by the safety system',
          type: 'invalid_request_error',
          code: 'content_policy_violation',
        },
      },
    });
    const r = await chat(gw, 'gpt-3.5-turbo-small');
    expect(r.status).toBe(200);
    expect([small.requests.length, large.requests.length, claude.requests.length]).toEqual([1, 0, 1]);
  });

  it('any other error: default_fallbacks (claude-opus); a group the context-window list does not name gets none', async () => {
    const { small, large, claude, gw } = await setup();
    small.setBehaviours({ kind: 'status', status: 503, body: { error: { message: 'down' } } });
    const r = await chat(gw, 'gpt-3.5-turbo-small');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-deployment']).toBe('anthropic/claude-3-opus-20240229');
    expect(large.requests).toHaveLength(0);

    claude.requests.length = 0;
    large.setBehaviours({ kind: 'context' });
    const cw = await chat(gw, 'gpt-3.5-turbo-large');
    expect(cw.status).toBe(400);
    expect(claude.requests).toHaveLength(0);
  });
});

describe('a group that cannot serve', () => {
  it('goes to its fallbacks for errors, but not to those reserved for context-window failures', async () => {
    const up = await fake('openai');
    const base = `model_list:\n  - model_name: a\n    litellm_params: { model: huggingface/x, api_base: http://127.0.0.1:9 }\n  - model_name: b\n    litellm_params: { model: openai/m, api_base: ${up.apiBase}, api_key: k }\n`;
    const cwOnly = await run(`${base}router_settings:\n  context_window_fallbacks: [{a: [b]}]\n`);
    const r = await chat(cwOnly, 'a');
    expect(r.status).toBe(503);
    expect(r.json.error.message).toBe(
      'no deployment of "a" can serve: huggingface/x: unsupported (model_list[0]: agentbox has no provider for the huggingface/ prefix); openai/m: tried only after context_window failures',
    );
    expect(up.requests).toHaveLength(0);

    const generic = await run(`${base}router_settings:\n  fallbacks: [{a: [b]}]\n`);
    expect((await chat(generic, 'a')).status).toBe(200);
    expect(up.requests).toHaveLength(1);
  });
});
