import { Writable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

let up: FakeUpstream;
let gw: Gateway;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  const r = loadConfigText(
    `litellm:
  port: 0
  providers: { p: { type: openai_compatible, api_base: "${up.apiBase}" } }
  models:
    main: [{ provider: p, model: main }]
    "claude-*": [{ provider: p, model: claude-main }]
    fast: [{ provider: p, model: fast }]
    think: [{ provider: p, model: think }]
    big: [{ provider: p, model: big }]
    vision: [{ provider: p, model: vision }]
    search: [{ provider: p, model: search }]
  routes:
    background: fast
    thinking: think
    long_context: big
    long_context_tokens: 2000
    images: vision
    web_search: search
`,
    { env: {} },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  gw = await startGateway(r.loaded, { log: pino({ level: 'info' }, sink), stateDir: null });
});
afterAll(async () => {
  await gw.stop(100);
  await up.close();
});

async function chat(body: Record<string, unknown>) {
  const r = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'main', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  await r.body.text();
  expect(r.statusCode).toBe(200);
  return {
    deployment: r.headers['x-agentbox-deployment'],
    route: r.headers['x-agentbox-route'],
    id: String(r.headers['x-request-id']),
  };
}

const logged = async (id: string) => {
  for (let i = 0; i < 50 && !lines.some((l) => l.id === id); i++) await new Promise((r) => setTimeout(r, 20));
  return lines.find((l) => l.id === id && l.msg === 'request');
};

describe('routes by request traits', () => {
  it('a plain request takes no route', async () => {
    const r = await chat({});
    expect(r).toMatchObject({ deployment: 'p/main', route: undefined });
    expect((await logged(r.id))?.trait_route).toBeUndefined();
  });

  it('thinking, images, web_search and long_context each send the request to their alias, every time', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ reasoning_effort: 'high' }, 'thinking', 'p/think'],
      [
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
            },
          ],
        },
        'images',
        'p/vision',
      ],
      [{ tools: [{ type: 'web_search' }] }, 'web_search', 'p/search'],
      [{ web_search_options: {} }, 'web_search', 'p/search'],
      [{ messages: [{ role: 'user', content: 'many words '.repeat(1500) }] }, 'long_context', 'p/big'],
      // long_context comes first when several traits apply.
      [
        { reasoning_effort: 'low', messages: [{ role: 'user', content: 'x y '.repeat(2000) }] },
        'long_context',
        'p/big',
      ],
    ];
    for (const [body, route, deployment] of cases) {
      for (let n = 0; n < 3; n++) {
        const r = await chat(body);
        expect(r).toMatchObject({ route, deployment });
        expect((await logged(r.id))?.trait_route).toBe(route);
      }
    }
    // Under the threshold: no long_context route.
    expect(
      (await chat({ messages: [{ role: 'user', content: 'word '.repeat(100) }] })).route,
    ).toBeUndefined();
  });

  it("Claude Code's background calls on its small model (no tools) go to the background alias", async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const title = await client.messages
      .create({
        model: 'claude-3-5-haiku-20241022',
        max_tokens: 32,
        system: 'Summarize this coding conversation in under 50 characters.',
        messages: [{ role: 'user', content: 'fix the failing test' }],
      })
      .withResponse();
    expect(title.response.headers.get('x-agentbox-route')).toBe('background');
    expect(title.response.headers.get('x-agentbox-deployment')).toBe('p/fast');
    // The small model with tools (a subagent at work) is not a background call.
    const agent = await client.messages
      .create({
        model: 'claude-3-5-haiku-20241022',
        max_tokens: 32,
        tools: [{ name: 'Read', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'read the file' }],
      })
      .withResponse();
    expect(agent.response.headers.get('x-agentbox-route')).toBeNull();
    expect(agent.response.headers.get('x-agentbox-deployment')).toBe('p/claude-main');
  });

  it('refuses a config whose route names no alias', () => {
    const r = loadConfigText(
      'litellm:\n  providers: { p: { type: openai_compatible, api_base: "http://127.0.0.1:9/v1" } }\n  models:\n    main: [{ provider: p, model: m }]\n  routes: { thinking: nope }\n',
      { env: {} },
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors).toContainEqual({
        path: 'litellm.routes.thinking',
        message: 'no alias matches "nope"',
      });
  });
});
