import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway.js';
import { post } from '../helpers/usage.js';

/**
 * A key sees only its plan: /model/info, /v1/models, GET /v1/models/{id}, MCP list_models and the
 * 404 text list only the caller's aliases, and api_base only for the master key. /health and
 * /metrics are the master key's when keys exist; readiness without it leaves out the config path
 * and reload errors.
 */
const MASTER = 'sk-master-plan-test';
const CLAUDE = 'sk-claude-plan-test';
const CODEX = 'sk-codex-plan-test';
let up: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  up = await startFakeUpstream('openai', { kind: 'ok', text: 'hello' });
  const result = loadConfigText(
    `litellm:
  master_key: ${MASTER}
  providers:
    secretbase: { type: openai_compatible, api_base: ${up.apiBase}, api_key: sk-upstream }
    other: { type: openai_compatible, api_base: ${up.apiBase}, api_key: sk-upstream }
  models:
    default:
      - { provider: other, model: gpt-4o }
    code:
      - { provider: secretbase, model: sonnet-x }
      - { provider: other, model: gpt-4o }
    "claude-*":
      - { provider: secretbase, model: sonnet-x }
  model_labels:
    code: Coding (Sonnet X)
  keys:
    claude: { key: ${CLAUDE}, models: ["claude-*", code] }
    codex: { key: ${CODEX}, models: [default] }
`,
    { path: '/virtual/config.yml', env: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  gw = await startTestGateway(result.loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await up?.close();
});

const get = async (path: string, key?: string) => {
  const res = await fetch(`${gw.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
};

describe('/model/info', () => {
  it('lists only the caller’s aliases, without api_base for a virtual key', async () => {
    const codex = await get('/model/info', CODEX);
    expect(codex.status).toBe(200);
    expect([...new Set(codex.json.data.map((r: any) => r.model_name))]).toEqual(['default']);
    expect(codex.text).not.toContain('secretbase');
    expect(codex.text).not.toContain(up.apiBase);
    expect(codex.json.data[0].litellm_params).toEqual({ model: 'other/gpt-4o' });

    const master = await get('/model/info', MASTER);
    expect([...new Set(master.json.data.map((r: any) => r.model_name))]).toEqual([
      'default',
      'code',
      'claude-*',
    ]);
    expect(master.json.data[0].litellm_params.api_base).toBe(up.apiBase);
  });
});

describe('model_not_found', () => {
  it('names only the caller’s aliases', async () => {
    const r = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'nope', messages: [{ role: 'user', content: 'x' }] },
      { authorization: `Bearer ${CODEX}` },
    );
    expect(r.status).toBe(404);
    expect(r.json.error.message).toContain('available: default');
    expect(r.json.error.message).not.toMatch(/code|claude|secretbase|other/);
  });
});

describe('/v1/models', () => {
  it('carries label and provider; a configured label wins; a glob is listed with the names agents ask for', async () => {
    const r = await get('/v1/models', CLAUDE);
    const byId = Object.fromEntries(r.json.data.map((m: any) => [m.id, m]));
    expect(Object.keys(byId)).toEqual([
      'code',
      'claude-*',
      'claude-opus-4-8',
      'claude-haiku-4-5-20251001',
      'claude-haiku-4-5',
    ]);
    expect(byId.code).toMatchObject({ label: 'Coding (Sonnet X)', provider: 'secretbase' });
    expect(byId['claude-*']).toMatchObject({
      pattern: true,
      label: 'sonnet-x (secretbase)',
      provider: 'secretbase',
    });
    expect(byId['claude-opus-4-8']).toMatchObject({ alias: 'claude-*', provider: 'secretbase' });
    const codex = await get('/v1/models', CODEX);
    expect(codex.json.data).toEqual([
      expect.objectContaining({ id: 'default', label: 'gpt-4o (other)', provider: 'other' }),
    ]);
  });

  it('GET /v1/models/{id} answers both SDKs’ models.retrieve, for aliases and glob-caught names', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLAUDE, maxRetries: 0 });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: CLAUDE, maxRetries: 0 });
    const o = await openai.models.retrieve('code');
    expect(o).toMatchObject({
      id: 'code',
      object: 'model',
      owned_by: 'agentbox',
      label: 'Coding (Sonnet X)',
    });
    const a = await anthropic.models.retrieve('claude-sonnet-4-5-20250929');
    expect(a).toMatchObject({
      id: 'claude-sonnet-4-5-20250929',
      type: 'model',
      display_name: 'claude-sonnet-4-5-20250929',
    });
    expect((a as any).alias).toBe('claude-*');
    // Outside the plan, or not configured at all: the same 404.
    await expect(openai.models.retrieve('default')).rejects.toMatchObject({ status: 404 });
    await expect(anthropic.models.retrieve('nothing-here')).rejects.toMatchObject({ status: 404 });
    // provider/model, encoded by the SDK, for the master key.
    const direct = await new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: MASTER,
      maxRetries: 0,
    }).models.retrieve('other/gpt-4o-mini');
    expect(direct).toMatchObject({ id: 'other/gpt-4o-mini', provider: 'other' });
  });
});

describe('MCP list_models over POST /mcp', () => {
  it('lists only the calling key’s aliases', async () => {
    const client = new Client({ name: 'plan-test', version: '0.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${CODEX}` } },
      }),
    );
    try {
      const r = await client.callTool({ name: 'list_models', arguments: {} });
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as any).models).toEqual([
        { name: 'default', deployments: [{ provider: 'other', model: 'gpt-4o' }] },
      ]);
    } finally {
      await client.close();
    }
  });
});

describe('operator routes with keys configured', () => {
  it('/health and /metrics answer the master key only', async () => {
    expect((await get('/health', CODEX)).status).toBe(403);
    expect((await get('/metrics', CLAUDE)).status).toBe(403);
    const h = await get('/health', MASTER);
    expect(h.status).toBe(200);
    expect(h.json.config_path).toBe('/virtual/config.yml');
    expect((await get('/metrics', MASTER)).status).toBe(200);
  });

  it('readiness without the master key leaves out the config path and reload errors', async () => {
    gw.state.reloadFailed([{ path: 'litellm.models.x', message: 'broken at /virtual/secret-dir' }]);
    const anon = await get('/health/readiness');
    expect(anon.status).toBe(200);
    expect(anon.json).not.toHaveProperty('config_path');
    expect(anon.json.last_reload).toEqual({ at: expect.any(String), ok: false });
    expect(anon.text).not.toContain('/virtual');
    const virtual = await get('/health/readiness', CODEX);
    expect(virtual.json).not.toHaveProperty('config_path');
    const master = await get('/health/readiness', MASTER);
    expect(master.json.config_path).toBe('/virtual/config.yml');
    expect(master.json.last_reload.errors).toHaveLength(1);
  });

  it('readiness spells its fields like status does (needs_restart, snake_case)', async () => {
    gw.state.setConfig(gw.state.loaded, ['port 4000 -> 4001']);
    const r = await get('/health/readiness', MASTER);
    expect(r.json.last_reload.needs_restart).toEqual(['port 4000 -> 4001']);
    expect(r.text).not.toContain('needsRestart');
  });
});
