import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * /ui serves its page without a key; /ui/state and /ui/events want the master key (a virtual key
 * is refused); the SSE feed carries each finished request's fixed fields and never its prompt.
 */

const MASTER = 'sk-master-ui-state';
const CODER = 'sk-coder-ui-state';
let up: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  up = await startFakeUpstream('openai', { kind: 'ok', text: 'hello', usage: { input: 5, output: 3 } });
  const result = loadConfigText(
    `litellm:
  master_key: ${MASTER}
  providers:
    fake: { type: openai_compatible, api_base: ${up.apiBase}, api_key: sk-upstream }
  models:
    coder:
      - { provider: fake, model: m1 }
  keys:
    coder: { key: ${CODER}, models: [coder] }
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

const get = (path: string, key?: string): Promise<Response> =>
  fetch(`${gw.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('/ui', () => {
  it('serves the page without a key, and it holds no key or config', async () => {
    const res = await get('/ui');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('/ui/state');
    expect(html).not.toContain(MASTER);
    expect(html).not.toContain('sk-upstream');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('wants the master key for its data', async () => {
    expect((await get('/ui/state')).status).toBe(401);
    expect((await get('/ui/events')).status).toBe(401);
    const coder = await get('/ui/state', CODER);
    expect(coder.status).toBe(403);
    expect(await coder.text()).toContain('master key');
  });

  it('streams a finished request over SSE and lists it in the state', async () => {
    const ctl = new AbortController();
    const events = await fetch(`${gw.url}/ui/events`, {
      headers: { authorization: `Bearer ${MASTER}` },
      signal: ctl.signal,
    });
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.getReader();
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CODER}` },
      body: JSON.stringify({ model: 'coder', messages: [{ role: 'user', content: 'the secret prompt' }] }),
    });
    expect(chat.status).toBe(200);
    await chat.text();
    let text = '';
    const deadline = Date.now() + 3000;
    while (!text.includes('event: request') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctl.abort();
    const data = JSON.parse(/event: request\ndata: (.*)\n/.exec(text)![1]);
    expect(data).toMatchObject({
      route: '/v1/chat/completions',
      key_name: 'coder',
      model: 'coder',
      deployment: 'fake/m1',
      status: 200,
      input_tokens: 5,
      output_tokens: 3,
      fallbacks: 0,
    });
    expect(text).not.toContain('secret prompt');
    await expect.poll(() => gw.state.feed.listening, { timeout: 2000 }).toBe(0);

    const state = await (await get('/ui/state', MASTER)).json();
    expect(state.deployments).toEqual([
      expect.objectContaining({ alias: 'coder', deployment: 'fake/m1', state: 'ok', error_rate: 0 }),
    ]);
    expect(state.recent.map((e: { id: string }) => e.id)).toContain(data.id);
    expect(state.last_reload).toMatchObject({ ok: true, errors: [] });
    expect(state.requests.total).toBe(1);
    expect(JSON.stringify(state)).not.toContain('secret prompt');
  });
});
