import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { LoadedConfig } from '../../src/config/types.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google.js';
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from '../helpers/fake-token-endpoint.js';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * `type: vertex_ai` from a real config file: a service-account key file exchanged for access
 * tokens at a fake token endpoint that verifies the JWT's signature and claims; a fake Vertex
 * that accepts only the tokens issued. Gemini models go to Google's publisher, Claude models to
 * Anthropic's `:rawPredict` / `:streamRawPredict` with the Vertex Messages body and the client's betas.
 */

let tok: FakeTokenEndpoint;
let vx: FakeGoogle;
let gw: Gateway;
let dir: string;

function config(extra = ''): LoadedConfig {
  const text = `litellm:
  port: 0
  providers:
    vertex:
      type: vertex_ai
      api_base: ${vx.url}/v1
      vertex_location: us-east5
      vertex_credentials: ${join(dir, 'sa.json')}
    vertex_static:
      type: vertex_ai
      api_base: ${vx.url}/v1
      vertex_project: other-proj
      vertex_location: global
      api_key: ya29.static-token
${extra}
  models:
    gem: [{ provider: vertex, model: gemini-2.5-pro }]
    "claude-*": [{ provider: vertex, model: claude-sonnet-4-5@20250929 }]
    static: [{ provider: vertex_static, model: gemini-2.5-flash }]
  router: { num_retries: 0, timeout: 5 }
`;
  const r = loadConfigText(text, { env: {} });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.loaded;
}

beforeAll(async () => {
  tok = await startFakeTokenEndpoint();
  vx = await startFakeGoogle();
  vx.acceptBearer((t) => tok.issued.includes(t) || t === 'ya29.static-token');
  dir = mkdtempSync(join(tmpdir(), 'agentbox-vertex-'));
  writeFileSync(join(dir, 'sa.json'), JSON.stringify(tok.keyFile));
  gw = await startTestGateway(config());
});
afterAll(async () => {
  await gw.stop(100);
  await vx.close();
  await tok.close();
});
beforeEach(() => {
  vx.requests.length = 0;
  vx.setBehaviours({ kind: 'ok' });
});

describe('Gemini on Vertex', () => {
  it('gets one token for concurrent requests and sends it as Bearer to the project/location path', async () => {
    tok.delayMs = 100;
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        openai.chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }] }),
      ),
    );
    tok.delayMs = 0;
    for (const a of answers) expect(a.choices[0].message.content).toBe('Hello from fake Gemini.');
    expect(tok.errors).toEqual([]);
    expect(tok.issued).toHaveLength(1); // one refresh in flight, shared
    expect(vx.requests).toHaveLength(3);
    for (const r of vx.requests) {
      expect(r.path).toBe(
        '/v1/projects/my-proj/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent',
      );
      expect(r.headers.authorization).toBe(`Bearer ${tok.issued[0]}`);
    }
  });

  it('a static access token and the global location', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    const s = await openai.chat.completions.create({
      model: 'static',
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    let text = '';
    for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from fake Gemini.');
    expect(vx.requests[0].path).toBe(
      '/v1/projects/other-proj/locations/global/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    expect(vx.requests[0].headers.authorization).toBe('Bearer ya29.static-token');
  });
});

describe('a Gemini client to Gemini on Vertex', () => {
  it('passes the body through to the Vertex path (the /v1 spelling of the route)', async () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { topK: 5 } };
    const res = await fetch(`${gw.url}/v1/models/gem:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).candidates[0].content.parts[0].text).toBe('Hello from fake Gemini.');
    expect(vx.requests[0].path).toBe(
      '/v1/projects/my-proj/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent',
    );
    expect(vx.requests[0].body).toEqual(body);
    expect(vx.requests[0].headers['x-goog-api-key']).toBeUndefined();
  });
});

describe('Claude on Vertex', () => {
  it('Claude Code’s Messages requests pass through to rawPredict with anthropic_version and the betas', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const msg = await anthropic.messages.create(
      {
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 64,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] },
        ],
      },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Hello from Claude on Vertex.' });
    const r = vx.requests[0];
    expect(r.path).toBe(
      '/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
    );
    expect(r.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(r.headers.authorization).toMatch(/^Bearer ya29\.fake-/);
    expect(r.headers['x-api-key']).toBeUndefined();
    expect(r.body.model).toBeUndefined();
    expect(r.body.anthropic_version).toBe('vertex-2023-10-16');
    expect(r.body.messages[0].content[0].cache_control).toEqual({ type: 'ephemeral' });
  });

  it('streams through streamRawPredict', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const stream = anthropic.messages.stream({
      model: 'claude-x',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'Hello from Claude on Vertex.' });
    expect(vx.requests[0].path).toMatch(/claude-sonnet-4-5@20250929:streamRawPredict$/);
    expect(vx.requests[0].body.stream).toBe(true);
  });
});

describe('tokens', () => {
  it('a token close to expiry is refreshed before it is used again', async () => {
    const t = await startFakeTokenEndpoint('short-lived@my-proj.iam.gserviceaccount.com');
    t.expiresIn = 120; // inside the five-minute refresh margin: every use refreshes
    writeFileSync(join(dir, 'sa2.json'), JSON.stringify(t.keyFile));
    const text = `litellm:
  port: 0
  providers:
    v: { type: vertex_ai, api_base: ${vx.url}/v1, vertex_credentials: ${join(dir, 'sa2.json')} }
  models:
    m: [{ provider: v, model: gemini-2.5-pro }]
  router: { num_retries: 0 }
`;
    const r = loadConfigText(text, { env: {} });
    if (!r.ok) throw new Error('config');
    vx.acceptBearer((x) => tok.issued.includes(x) || t.issued.includes(x));
    const g2 = await startTestGateway(r.loaded);
    try {
      const openai = new OpenAI({ baseURL: `${g2.url}/v1`, apiKey: 'client', maxRetries: 0 });
      await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      expect(t.errors).toEqual([]);
      expect(t.issued).toHaveLength(2);
      expect(vx.requests.map((x) => x.headers.authorization)).toEqual(t.issued.map((x) => `Bearer ${x}`));
    } finally {
      await g2.stop(100);
      await t.close();
    }
  });

  it('vertex_credentials: metadata takes the token from the GCE metadata server (Metadata-Flavor checked)', async () => {
    const seen: string[] = [];
    const md = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['metadata-flavor']}`);
      if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403).end('missing header');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'ya29.from-metadata', expires_in: 3599, token_type: 'Bearer' }));
    });
    await new Promise<void>((r) => md.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(md.address() as AddressInfo).port}`;
    const text = `litellm:
  port: 0
  providers:
    v: { type: vertex_ai, api_base: ${vx.url}/v1, vertex_project: gce-proj, vertex_credentials: metadata }
  models:
    m: [{ provider: v, model: gemini-2.5-pro }]
  router: { num_retries: 0 }
`;
    const r = loadConfigText(text, { env: { GCE_METADATA_HOST: host } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.loaded.config.providers.v.keyState).toBe('set');
    vx.acceptBearer((t) => t === 'ya29.from-metadata');
    const g4 = await startTestGateway(r.loaded);
    try {
      const openai = new OpenAI({ baseURL: `${g4.url}/v1`, apiKey: 'client', maxRetries: 0 });
      await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      expect(seen).toEqual(['GET /computeMetadata/v1/instance/service-accounts/default/token Google']);
      expect(vx.requests.map((x) => x.headers.authorization)).toEqual([
        'Bearer ya29.from-metadata',
        'Bearer ya29.from-metadata',
      ]);
      expect(vx.requests[0].path).toMatch(/^\/v1\/projects\/gce-proj\/locations\/us-central1\//);
    } finally {
      vx.acceptBearer((t) => tok.issued.includes(t) || t === 'ya29.static-token');
      await g4.stop(100);
      await new Promise<void>((res) => md.close(() => res()));
    }
  });

  it('a refused grant fails the request with a 401 naming the account, never the key', async () => {
    const t2 = await startFakeTokenEndpoint('refused@my-proj.iam.gserviceaccount.com');
    t2.refuse = 'invalid_grant';
    writeFileSync(join(dir, 'sa3.json'), JSON.stringify(t2.keyFile));
    const text = `litellm:
  port: 0
  providers:
    v: { type: vertex_ai, api_base: ${vx.url}/v1, vertex_credentials: ${join(dir, 'sa3.json')} }
  models:
    m: [{ provider: v, model: gemini-2.5-pro }]
  router: { num_retries: 0 }
`;
    const r = loadConfigText(text, { env: {} });
    if (!r.ok) throw new Error('config');
    const g3 = await startTestGateway(r.loaded);
    try {
      const res = await fetch(`${g3.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      const body = await res.text();
      expect(res.status).toBe(401);
      expect(body).toContain('refused@my-proj.iam.gserviceaccount.com');
      expect(body).toContain('Invalid JWT Signature');
      expect(body).not.toContain('PRIVATE KEY');
      expect(vx.requests).toHaveLength(0);
    } finally {
      await g3.stop(100);
      await t2.close();
    }
  });
});
