import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * `router.aliases.<alias>` force / drop / drop_params: set once for an alias, applied to every
 * deployment of its chain; a chain entry's own settings win.
 */
let first: FakeUpstream;
let second: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  first = await startFakeUpstream('openai', { kind: 'status', status: 500 });
  second = await startFakeUpstream('openai', { kind: 'ok', text: 'second' });
  const yaml = [
    'litellm:',
    '  providers:',
    `    a: { type: openai_compatible, api_base: "${first.apiBase}" }`,
    `    b: { type: openai_compatible, api_base: "${second.apiBase}" }`,
    '  models:',
    '    pinned:',
    '      - { provider: a, model: m1 }',
    '      - { provider: b, model: m2, force: { temperature: 0.5 } }',
    '    plain: [{ provider: b, model: m2 }]',
    '  router:',
    '    num_retries: 0',
    '    aliases:',
    '      pinned: { force: { temperature: 1, top_p: 0.9 }, drop: [user] }',
  ].join('\n');
  const r = loadConfigText(yaml, { env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  gw = await startTestGateway(r.loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await first?.close();
  await second?.close();
});

const client = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });

describe('alias-level overrides', () => {
  it('apply to every deployment of the alias; the chain entry’s own force wins', async () => {
    const { data, response } = await client()
      .chat.completions.create({
        model: 'pinned',
        temperature: 0.2,
        user: 'someone',
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('second');
    const a = first.requests.at(-1)!.body;
    expect(a).toMatchObject({ temperature: 1, top_p: 0.9 });
    expect(a).not.toHaveProperty('user');
    const b = second.requests.at(-1)!.body;
    expect(b).toMatchObject({ temperature: 0.5, top_p: 0.9 });
    expect(b).not.toHaveProperty('user');
    expect(response.headers.get('x-agentbox-dropped')).toBe('user');
  });

  it('leave other aliases alone', async () => {
    await client().chat.completions.create({
      model: 'plain',
      temperature: 0.2,
      user: 'someone',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(second.requests.at(-1)!.body).toMatchObject({ temperature: 0.2, user: 'someone' });
  });

  it('are shown per deployment in /model/info', async () => {
    const info = (await (await fetch(`${gw.url}/model/info`)).json()) as any;
    const rows = info.data.filter((r: any) => r.model_name === 'pinned').map((r: any) => r.model_info);
    expect(rows[0]).toMatchObject({ force: { temperature: 1, top_p: 0.9 }, drop: ['user'] });
    expect(rows[1]).toMatchObject({ force: { temperature: 0.5, top_p: 0.9 }, drop: ['user'] });
  });
});
