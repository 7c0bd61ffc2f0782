import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_COOLDOWN_FACTOR } from '../../src/gateway/router/cooldown.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { BIN, startBuiltDaemon } from '../helpers/built-daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { post } from '../helpers/usage.js';

/**
 * A deployment whose upstream answers 401/403 for the deployment's own key: the client's request is
 * fine, so it falls back to the healthy next deployment, the refused one cools down for longer and
 * shows `state: auth_failed` (what `status` and `models` print), until a reload.
 */
const COOLDOWN_S = 30;
let bad401: FakeUpstream;
let bad403: FakeUpstream;
let good: FakeUpstream;
let gw: Gateway;
let loaded: ReturnType<typeof makeConfig>;

beforeAll(async () => {
  bad401 = await startFakeUpstream('openai', {
    kind: 'status',
    status: 401,
    body: {
      error: {
        message: 'Incorrect API key provided',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    },
  });
  bad403 = await startFakeUpstream('anthropic', {
    kind: 'status',
    status: 403,
    body: { type: 'error', error: { type: 'permission_error', message: 'key revoked' } },
  });
  good = await startFakeUpstream('openai', { kind: 'ok', text: 'fine' });
  loaded = makeConfig(
    [
      { name: 'stale', type: 'openai', apiBase: bad401.apiBase, apiKey: 'sk-stale' },
      { name: 'revoked', type: 'anthropic', apiBase: bad403.apiBase, apiKey: 'sk-revoked' },
      { name: 'good', type: 'openai', apiBase: good.apiBase, apiKey: 'sk-good' },
    ],
    {
      chat: [
        { provider: 'stale', model: 'gpt-x' },
        { provider: 'good', model: 'g' },
      ],
      claude: [
        { provider: 'revoked', model: 'claude-x' },
        { provider: 'good', model: 'g' },
      ],
    },
    { router: { numRetries: 2, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 3, cooldownS: COOLDOWN_S } },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await Promise.all([bad401, bad403, good].map((u) => u?.close()));
});

const ask = (model: string, path = '/v1/chat/completions') =>
  post(`${gw.url}${path}`, { model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });

describe('a deployment answering 401/403 for its own key', () => {
  it('deployment 401 for its own key: falls back to the healthy deployment, never retried', async () => {
    const r = await ask('chat');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-deployment']).toBe('good/g');
    expect(r.headers['x-agentbox-fallbacks']).toBe('1');
    expect(bad401.requests).toHaveLength(1);
    // Cooling down at once: the next requests go straight to the healthy one.
    for (let i = 0; i < 3; i++) expect((await ask('chat')).headers['x-agentbox-deployment']).toBe('good/g');
    expect(bad401.requests).toHaveLength(1);
  });

  it('deployment 403 for its own key (Anthropic, from a messages client): falls back too', async () => {
    const r = await ask('claude', '/v1/messages');
    expect(r.status).toBe(200);
    expect(r.json.type).toBe('message');
    expect(r.headers['x-agentbox-deployment']).toBe('good/g');
    expect(bad403.requests).toHaveLength(1);
  });

  it('deployment auth failure: state auth_failed in /health and /model/info, a longer cooldown', async () => {
    const h = (await (await fetch(`${gw.url}/health`)).json()) as any;
    const stale = h.deployments.find((d: any) => d.provider === 'stale');
    expect(stale.state).toBe('auth_failed');
    expect(stale.cooldown_remaining_s).toBeGreaterThan(COOLDOWN_S * (AUTH_COOLDOWN_FACTOR - 1));
    expect(h.deployments.find((d: any) => d.provider === 'revoked').state).toBe('auth_failed');
    expect(h.deployments.find((d: any) => d.provider === 'good').state).toBe('ok');
    const info = (await (await fetch(`${gw.url}/model/info`)).json()) as any;
    const row = info.data.find((x: any) => x.model_name === 'chat' && x.model_info.provider === 'stale');
    expect(row.model_info.state).toBe('auth_failed');
  });

  it('deployment auth failure: a reload (the user puts a new key in) tries it again', async () => {
    bad401.setBehaviours({ kind: 'ok', text: 'newkey' });
    gw.state.setConfig(loaded);
    const r = await ask('chat');
    expect(r.headers['x-agentbox-deployment']).toBe('stale/gpt-x');
    const h = (await (await fetch(`${gw.url}/health`)).json()) as any;
    expect(h.deployments.find((d: any) => d.provider === 'stale').state).toBe('ok');
  });

  it('deployment auth failure with no other deployment: the upstream answer is returned as it is', async () => {
    const solo = makeConfig(
      [
        {
          name: 'stale',
          type: 'openai',
          apiBase: bad403.apiBase,
          apiKey: 'sk-stale',
        },
      ],
      { only: [{ provider: 'stale', model: 'gpt-x' }] },
    );
    const g2 = await startTestGateway(solo);
    try {
      bad403.setBehaviours({
        kind: 'status',
        status: 401,
        body: { error: { message: 'bad key', type: 'auth' } },
      });
      const r = await post(`${g2.url}/v1/chat/completions`, {
        model: 'only',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(r.status).toBe(401);
      expect(r.json.error.message).toBe('bad key');
    } finally {
      await g2.stop(100);
    }
  });
});

describe('agentbox litellm status and models (the built CLI and daemon)', () => {
  it('deployment auth failure: status --json and models --json show state auth_failed', async () => {
    const home = mkdtempSync(join(tmpdir(), 'agentbox-authcli-'));
    bad401.setBehaviours({ kind: 'status', status: 401, body: { error: { message: 'Incorrect API key' } } });
    writeFileSync(
      join(home, 'config.yml'),
      [
        'litellm:',
        '  providers:',
        `    stale: { type: openai, api_base: "${bad401.apiBase}", api_key: sk-stale }`,
        `    good: { type: openai, api_base: "${good.apiBase}", api_key: sk-good }`,
        '  models:',
        '    chat: [{ provider: stale, model: gpt-x }, { provider: good, model: g }]',
        '',
      ].join('\n'),
    );
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      AGENTBOX_STATE_DIR: join(home, 'state'),
    };
    const d = await startBuiltDaemon({
      config: join(home, 'config.yml'),
      env,
      stateDir: join(home, 'state'),
    });
    try {
      const r = await post(`${d.url}/v1/chat/completions`, {
        model: 'chat',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(r.headers['x-agentbox-deployment']).toBe('good/g');
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [BIN, 'litellm', ...args], { env, encoding: 'utf8' });
      const status = cli('status', '--json');
      expect(status.status, status.stderr).toBe(0);
      const s = JSON.parse(status.stdout);
      expect(s.deployments.find((x: any) => x.provider === 'stale').state).toBe('auth_failed');
      const models = cli('models', '--json');
      expect(models.status, models.stderr).toBe(0);
      const chat = JSON.parse(models.stdout).find((m: any) => m.name === 'chat');
      expect(chat.deployments.map((x: any) => x.state)).toEqual(['auth_failed', 'ok']);
    } finally {
      d.child.kill('SIGTERM');
      await d.exited;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
