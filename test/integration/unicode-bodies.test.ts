import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/** Text with 2-, 3- and 4-byte UTF-8 sequences, an escaped one, and a lone surrogate escape. */
const TEXT = 'naïve — “quotes” 日本語 🚀 \\u00e9 end';
const DECODED = JSON.parse(`"${TEXT}"`) as string;

let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  oa = await startFakeUpstream('openai', { kind: 'ok', text: 'ok' });
  an = await startFakeUpstream('anthropic', { kind: 'ok', text: 'ok' });
  const loaded = makeConfig(
    [
      { name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'k' },
    ],
    {
      chat: [{ provider: 'oai', model: 'gpt-up' }],
      claude: [{ provider: 'anthropic', model: 'claude-up' }],
      // A non-ASCII upstream model name cannot be spliced into raw bytes: the body is re-encoded.
      unicode: [{ provider: 'oai', model: 'modèle-ü' }],
    },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

async function post(path: string, json: string) {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(json, 'utf8'),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('non-ASCII request bodies', () => {
  it('pass through byte for byte when they hold raw UTF-8 and only ASCII escapes', async () => {
    const text = 'naïve — “quotes” 日本語 🚀 \\u003c\\n end';
    const sent = `{"model":"chat","messages":[{"role":"user","content":"${text}"}],"max_tokens":7}`;
    expect((await post('/v1/chat/completions', sent)).status).toBe(200);
    const got = oa.requests.at(-1)!;
    expect(got.body.messages[0].content).toBe(JSON.parse(`"${text}"`));
    expect(got.body).toEqual({ ...JSON.parse(sent), model: 'gpt-up' });
  });

  it('pass through to a same-dialect upstream byte for byte, except the model', async () => {
    const sent = `{"model":"chat","messages":[{"role":"user","content":"${TEXT}"}],"temperature":0.5}`;
    expect((await post('/v1/chat/completions', sent)).status).toBe(200);
    const got = oa.requests.at(-1)!;
    expect(got.body.messages[0].content).toBe(DECODED);
    expect(JSON.stringify(got.body)).toBe(JSON.stringify({ ...JSON.parse(sent), model: 'gpt-up' }));
  });

  it('keep every character when translated (Messages → Chat)', async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
    await client.messages.create({
      model: 'chat',
      max_tokens: 10,
      system: DECODED,
      messages: [{ role: 'user', content: DECODED }],
    });
    const got = oa.requests.at(-1)!;
    expect(JSON.stringify(got.body.messages)).toContain(JSON.stringify(DECODED).slice(1, -1));
    expect(got.body.messages.at(-1).content).toEqual(DECODED);
  });

  it('keep every character when translated (Chat → Messages)', async () => {
    const sent = `{"model":"claude","messages":[{"role":"system","content":"${TEXT}"},{"role":"user","content":"${TEXT}"}]}`;
    expect((await post('/v1/chat/completions', sent)).status).toBe(200);
    const got = an.requests.at(-1)!;
    expect(JSON.stringify(got.body.system)).toContain(JSON.stringify(DECODED).slice(1, -1));
    expect(JSON.stringify(got.body.messages)).toContain(JSON.stringify(DECODED).slice(1, -1));
  });

  it('re-encode properly when the upstream model name itself is not ASCII', async () => {
    const sent = `{"model":"unicode","messages":[{"role":"user","content":"${TEXT}"}]}`;
    expect((await post('/v1/chat/completions', sent)).status).toBe(200);
    const got = oa.requests.at(-1)!;
    expect(got.body.model).toBe('modèle-ü');
    expect(got.body.messages[0].content).toBe(DECODED);
  });
});
