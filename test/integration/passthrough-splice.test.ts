import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

// Large passthrough bodies are spliced from the client's bytes (src/gateway/upstream/json-splice.ts):
// what the upstream receives is the client's text with only the rewritten members replaced.

let an: FakeUpstream;
let backup: FakeUpstream;
let oa: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  an = await startFakeUpstream('anthropic', { kind: 'ok', text: 'ok' });
  backup = await startFakeUpstream('anthropic', { kind: 'ok', text: 'ok' });
  oa = await startFakeUpstream('openai', { kind: 'ok', text: 'ok' });
  gw = await startTestGateway(
    makeConfig(
      [
        { name: 'an', type: 'anthropic', apiBase: an.apiBase, apiKey: 'k1' },
        { name: 'backup', type: 'anthropic', apiBase: backup.apiBase, apiKey: 'k2' },
        { name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase },
      ],
      {
        claude: [{ provider: 'an', model: 'claude-up' }],
        // The first entry clamps max_tokens (and so the thinking budget), then fails over.
        clamped: [
          { provider: 'an', model: 'claude-small', maxTokens: 4000 },
          { provider: 'backup', model: 'claude-big' },
        ],
        chat: [{ provider: 'oai', model: 'gpt-up' }],
      },
    ),
  );
});
afterAll(async () => {
  await gw.stop(100);
  await an.close();
  await backup.close();
  await oa.close();
});

/** ~40 KB of conversation written the way no serialiser would: spaces, `\/`, escapes, raw UTF-8. */
function history(n = 200): string {
  const turns: string[] = [];
  for (let i = 0; i < n; i++)
    turns.push(
      `{ "role" : "user", "content" : "turn ${i}: caf\u00e9 \\/ path\\/to \\u00e9 \u2014 ok" }`,
      `{"role":"assistant","content":[ {"type":"text","text":"seen ${i}"} ]}`,
    );
  turns.push('{"role":"user","content":"last"}');
  return `[${turns.join(' ,\n ')}]`;
}

async function post(path: string, text: string, headers: Record<string, string> = {}) {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: Buffer.from(text, 'utf8'),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('large passthrough bodies', () => {
  it("reach a Messages upstream as the client's bytes with only the model replaced", async () => {
    const messages = history();
    const text = `{"model":"claude", "max_tokens": 1024,\n "messages": ${messages}, "metadata":{"user_id":"u\\/1"}}`;
    expect(text.length).toBeGreaterThan(20_000);
    expect((await post('/v1/messages', text)).status).toBe(200);
    const got = an.requests.at(-1)!;
    expect(got.raw).toBe(
      `{"model":"claude-up","max_tokens": 1024,"messages": ${messages},"metadata":{"user_id":"u\\/1"}}`,
    );
  });

  it('serialise only what a rewrite replaced, and a fallback gets the client body unchanged', async () => {
    // The first entry is overloaded on every try: the request falls back.
    an.setBehaviours({
      kind: 'status',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
    });
    const messages = history();
    const thinking = '{"type":"enabled","budget_tokens":6000}';
    const text = `{"model":"clamped","max_tokens":8000,"thinking":${thinking},"messages":${messages}}`;
    const r = await post('/v1/messages', text);
    expect(r.status).toBe(200);
    // The clamped entry: max_tokens 4000 and a thinking budget under it, the history as sent.
    expect(an.requests.at(-1)!.raw).toBe(
      `{"model":"claude-small","max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":3999},"messages":${messages}}`,
    );
    // The fallback: the client's own max_tokens and thinking, not the first entry's clamp.
    expect(backup.requests.at(-1)!.raw).toBe(
      `{"model":"claude-big","max_tokens":8000,"thinking":${thinking},"messages":${messages}}`,
    );
    an.setBehaviours({ kind: 'ok', text: 'ok' });
  });

  it('over 256 KB go in parts, announced with their full length, and a fallback gets them again', async () => {
    an.setBehaviours({
      kind: 'status',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
    });
    const messages = history(2000);
    const text = `{"model":"clamped","max_tokens":8000,"messages":${messages}}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(300_000);
    expect((await post('/v1/messages', text)).status).toBe(200);
    const first = an.requests.at(-1)!;
    const fallback = backup.requests.at(-1)!;
    expect(first.raw).toBe(`{"model":"claude-small","max_tokens":4000,"messages":${messages}}`);
    expect(fallback.raw).toBe(`{"model":"claude-big","max_tokens":8000,"messages":${messages}}`);
    for (const got of [first, fallback]) {
      expect(got.headers['transfer-encoding']).toBeUndefined();
      expect(Number(got.headers['content-length'])).toBe(Buffer.byteLength(got.raw));
    }
    an.setBehaviours({ kind: 'ok', text: 'ok' });
  });

  it('reach a Chat upstream with stream_options added and the rest as sent', async () => {
    const chatMessages = history().replace(/\[ \{"type":"text","text":"(seen \d+)"\} \]/g, '"$1"');
    const text = `{"model":"chat","stream":true,"messages":${chatMessages}}`;
    const r = await post('/v1/chat/completions', text);
    expect(r.status).toBe(200);
    expect(r.text).toContain('data: [DONE]');
    expect(oa.requests.at(-1)!.raw).toBe(
      `{"model":"gpt-up","stream":true,"messages":${chatMessages},"stream_options":{"include_usage":true}}`,
    );
  });
});
