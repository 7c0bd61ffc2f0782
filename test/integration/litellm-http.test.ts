import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/** The LiteLLM proxy paths migrating scripts call: /key/info, /spend/logs, and 501 for key/user/team management. */

const MASTER = 'sk-master-secret-1';
const CLAUDE = 'sk-claude-secret-2';
const CODEX = 'sk-codex-secret-3';

let up: FakeUpstream;
let gw: Gateway;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentbox-compat-'));
  up = await startFakeUpstream('openai', { kind: 'ok', usage: { input: 10, output: 5 } });
  const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-provider' }], {
    a: [{ provider: 'p', model: 'm', inputCostPerToken: 0.001, outputCostPerToken: 0.002 }],
    b: [{ provider: 'p', model: 'm', inputCostPerToken: 0.001, outputCostPerToken: 0.002 }],
  });
  loaded.config.masterKey = MASTER;
  loaded.config.keys = {
    claude: {
      name: 'claude',
      key: CLAUDE,
      keyState: 'set',
      models: ['a'],
      budget: { usdPerDay: 5 },
      rpm: 120,
    },
    codex: { name: 'codex', key: CODEX, keyState: 'set' },
  };
  gw = await startTestGateway(loaded, { stateDir: dir });
  for (const [key, model] of [
    [CLAUDE, 'a'],
    [CLAUDE, 'a'],
    [CODEX, 'b'],
  ]) {
    const r = await request(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(r.statusCode).toBe(200);
    await r.body.text();
  }
});
afterAll(async () => {
  await gw.stop(100);
  await up.close();
  await rm(dir, { recursive: true, force: true });
});

async function get(path: string, key?: string) {
  const res = await request(`${gw.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: JSON.parse(text) as any };
}

describe('/key/info', () => {
  it('describes the calling key: name, models, budget, limits, spend — never its value', async () => {
    const r = await get('/key/info', CLAUDE);
    expect(r.status).toBe(200);
    expect(r.json.key).toBe('claude');
    expect(r.json.info).toMatchObject({
      key_name: 'claude',
      models: ['a'],
      budget: { usd_per_day: 5, usd_per_month: null },
      rpm_limit: 120,
      tpm_limit: null,
    });
    expect(r.json.info.spend).toBeCloseTo(2 * (10 * 0.001 + 5 * 0.002), 10);
    expect(r.json.info.spend_today).toBeCloseTo(0.04, 10);
    expect(r.text).not.toContain(CLAUDE);
  });

  it('refuses to describe another key, even to a caller who knows it', async () => {
    const r = await get(`/key/info?key=${CODEX}`, CLAUDE);
    expect(r.status).toBe(403);
    expect(r.text).not.toContain(CODEX);
    expect((await get('/key/info')).status).toBe(401);
  });
});

describe('/spend/logs', () => {
  it('a key sees only its own rows, newest first; the master key sees all', async () => {
    const mine = await get('/spend/logs', CLAUDE);
    expect(mine.status).toBe(200);
    expect(mine.json.data.map((x: any) => x.key_name)).toEqual(['claude', 'claude']);
    expect(mine.json.data[0]).toMatchObject({
      model_group: 'a',
      model: 'p/m',
      prompt_tokens: 10,
      completion_tokens: 5,
      status: 200,
    });
    expect(Date.parse(mine.json.data[0].startTime)).toBeGreaterThanOrEqual(
      Date.parse(mine.json.data[1].startTime),
    );
    const all = await get('/spend/logs', MASTER);
    expect(all.json.data.map((x: any) => x.key_name).sort()).toEqual(['claude', 'claude', 'codex']);
  });

  it('is paginated', async () => {
    const p1 = await get('/spend/logs?page=1&page_size=2', MASTER);
    const p2 = await get('/spend/logs?page=2&page_size=2', MASTER);
    expect([p1.json.data.length, p1.json.has_more, p2.json.data.length, p2.json.has_more]).toEqual([
      2,
      true,
      1,
      false,
    ]);
    const ids = [...p1.json.data, ...p2.json.data].map((x: any) => x.request_id);
    expect(new Set(ids).size).toBe(3);
    const bad = await get('/spend/logs?page_size=0', MASTER);
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('page_size');
  });
});

describe('management routes agentbox does not have', () => {
  it.each(['/key/generate', '/key/delete', '/user/new', '/user/info', '/team/new', '/team/member_add'])(
    '%s answers 501 saying keys live in the config file',
    async (path) => {
      const res = await request(`${gw.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` },
        body: '{}',
      });
      const j = (await res.body.json()) as any;
      expect(res.statusCode).toBe(501);
      expect(j.error.message).toContain('keeps keys, budgets and limits in the config file');
    },
  );
});
