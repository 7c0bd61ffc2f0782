import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startGateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

let up: FakeUpstream;
let gw: Gateway;
const body = JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x' }] });

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-provider' }], {
    default: [{ provider: 'p', model: 'm' }],
  });
  loaded.config.masterKey = 'master-secret-123';
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw.stop(100);
  await up.close();
});

const post = async (headers: Record<string, string>, path = '/v1/chat/completions') => {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.statusCode, json: (await res.body.json()) as any };
};

describe('master_key', () => {
  it('rejects a request without a key, or with a wrong one, with 401 in the client dialect', async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.json.error.type).toBe('auth_failed');
    const wrong = await post({ authorization: 'Bearer master-secret-124' });
    expect(wrong.status).toBe(401);
    const anthropic = await post({ 'x-api-key': 'nope' }, '/v1/messages');
    expect(anthropic.status).toBe(401);
    expect(anthropic.json).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid API key' },
    });
    expect(up.requests).toHaveLength(0);
  });

  it('accepts Authorization: Bearer and x-api-key, and sends the provider key upstream instead', async () => {
    expect((await post({ authorization: 'Bearer master-secret-123' })).status).toBe(200);
    expect((await post({ 'x-api-key': 'master-secret-123' })).status).toBe(200);
    for (const r of up.requests) {
      expect(r.headers.authorization).toBe('Bearer sk-provider');
      expect(JSON.stringify(r.headers)).not.toContain('master-secret-123');
    }
  });

  it('leaves liveness and readiness open for health checks', async () => {
    const res = await request(`${gw.url}/health/liveliness`);
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });
});

describe('host', () => {
  it('refuses a non-loopback host without a master key', async () => {
    const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'k' }], {
      default: [{ provider: 'p', model: 'm' }],
    });
    loaded.config.host = '0.0.0.0';
    await expect(startGateway(loaded, { log: silentLogger() })).rejects.toThrow(/master_key/);
  });
});
