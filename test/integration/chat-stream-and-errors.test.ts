import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { SseDecoder } from '../../src/gateway/upstream/sse.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { validateOpenAI } from '../helpers/openai-schema.js';

let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;
let client: OpenAI;

beforeAll(async () => {
  oa = await startFakeUpstream('openai', { kind: 'ok', text: 'plain answer' });
  an = await startFakeUpstream('anthropic', {
    kind: 'ok',
    text: 'claude answer',
    usage: { input: 20, output: 5, cacheRead: 100 },
  });
  const loaded = makeConfig(
    [
      { name: 'local', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-secret' },
    ],
    {
      default: [{ provider: 'local', model: 'gpt-x' }],
      claude: [{ provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 1000 }],
    },
  );
  loaded.config.router.timeoutS = 1;
  loaded.config.maxBodyBytes = 64 * 1024;
  gw = await startTestGateway(loaded);
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

async function rawStream(body: unknown): Promise<{ status: number; events: string[]; text: string }> {
  const res = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  const events = new SseDecoder().push(text).map((e) => e.data);
  return { status: res.statusCode, events, text };
}

describe('chat streams', () => {
  it('forwards the usage chunk only when the client asked for it', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'abc' });
    const without = await rawStream({
      model: 'default',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(without.events.at(-1)).toBe('[DONE]');
    for (const e of without.events.slice(0, -1))
      expect(validateOpenAI('CreateChatCompletionStreamResponse', JSON.parse(e))).toEqual([]);
    expect(without.events.some((e) => e.includes('"usage"'))).toBe(false);
    // The gateway always asked the upstream for usage.
    expect(oa.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    const withUsage = await rawStream({
      model: 'default',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(withUsage.events.some((e) => e.includes('"usage"'))).toBe(true);
  });

  it('a finished stream hands its upstream connection back for the next request', async () => {
    oa.setBehaviours({ kind: 'linger', ms: 40 });
    const before = oa.connections;
    for (let i = 0; i < 3; i++) {
      const r = await rawStream({
        model: 'default',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(r.events.at(-1)).toBe('[DONE]');
      // Let the upstream finish its body (40 ms after [DONE]) so the connection is free again.
      await new Promise((r) => setTimeout(r, 120));
    }
    expect(oa.connections - before).toBeLessThanOrEqual(1);
  });

  it('a stream cut after the first token ends with an error event and no [DONE]', async () => {
    oa.setBehaviours({ kind: 'cut', afterEvents: 3 });
    const r = await rawStream({ model: 'default', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(200);
    expect(r.events).not.toContain('[DONE]');
    expect(JSON.parse(r.events.at(-1)!).error.message).toMatch(/upstream/);
    // The SDK surfaces it as an error, never as a clean completion.
    oa.setBehaviours({ kind: 'cut', afterEvents: 3 });
    const s = client.chat.completions.stream({
      model: 'default',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(s.finalChatCompletion()).rejects.toThrow();
  });

  it('a stream stalling after the first token ends with an error event after the idle timeout', async () => {
    oa.setBehaviours({ kind: 'stall-mid', afterEvents: 3, ms: 5000 });
    const r = await rawStream({ model: 'default', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(r.events).not.toContain('[DONE]');
    expect(r.events.at(-1)).toMatch(/"error"/);
  });

  it('a client that disconnects aborts the upstream request', async () => {
    oa.setBehaviours({ kind: 'stall-mid', afterEvents: 3, ms: 4000 });
    const ac = new AbortController();
    const res = await request(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: ac.signal,
    });
    expect(res.statusCode).toBe(200);
    ac.abort();
    await res.body.text().catch(() => undefined);
    const deadline = Date.now() + 2000;
    while (gw.state.stats.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(gw.state.stats.inFlight).toBe(0);
  });
});

describe('anthropic upstream through the openai SDK', () => {
  it('translates a non-stream completion, with usage including cache reads', async () => {
    an.setBehaviours({ kind: 'ok', text: 'claude answer', usage: { input: 20, output: 5, cacheRead: 100 } });
    const r = await client.chat.completions.create({
      model: 'claude',
      max_tokens: 64000,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(validateOpenAI('CreateChatCompletionResponse', r)).toEqual([]);
    expect(r.choices[0].message.content).toBe('claude answer');
    expect(r.choices[0].finish_reason).toBe('stop');
    expect(r.usage?.prompt_tokens).toBe(120);
    expect(r.usage?.completion_tokens).toBe(5);
    const up = an.requests.at(-1)!;
    expect(up.path).toBe('/v1/messages');
    expect(up.headers['x-api-key']).toBe('sk-ant-secret');
    expect(up.body.model).toBe('claude-sonnet-4-5');
    expect(up.body.max_tokens).toBe(1000);
    expect(JSON.stringify(up.body.system)).toContain('be brief');
  });

  it('translates a streamed tool call', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'get_weather', args: { city: 'Paris' } } });
    const s = client.chat.completions.stream({
      model: 'claude',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    const final = await s.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    const call = final.choices[0].message.tool_calls![0];
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
  });
});

describe('other routes', () => {
  it('lists aliases with models.list', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['default', 'claude']);
    const page = (await (await request(`${gw.url}/v1/models`)).body.json()) as any;
    expect(validateOpenAI('ListModelsResponse', page)).toEqual([]);
  });

  it('embeddings decode from base64 through the SDK', async () => {
    const r = await client.embeddings.create({ model: 'default', input: 'hello' });
    expect(r.data[0].embedding).toEqual([0.25, -0.5, 0.125]);
    expect(oa.requests.at(-1)!.body.encoding_format).toBe('base64');
    const raw = (await (
      await request(`${gw.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'default', input: ['a', 'b'] }),
      })
    ).body.json()) as any;
    expect(validateOpenAI('CreateEmbeddingResponse', raw)).toEqual([]);
    expect(raw.data).toHaveLength(2);
  });

  it('health endpoints answer', async () => {
    const live = await request(`${gw.url}/health/liveliness`);
    expect(live.statusCode).toBe(200);
    await live.body.text();
    const ready = (await (await request(`${gw.url}/health/readiness`)).body.json()) as any;
    expect(ready.config_generation).toBe(1);
    expect(ready.last_reload.ok).toBe(true);
    const full = (await (await request(`${gw.url}/health`)).body.json()) as any;
    expect(full.deployments.map((d: any) => `${d.alias}:${d.state}`)).toEqual(['default:ok', 'claude:ok']);
    const info = (await (await request(`${gw.url}/model/info`)).body.json()) as any;
    expect(info.data[1].litellm_params.model).toBe('anthropic/claude-sonnet-4-5');
    expect(JSON.stringify(info)).not.toContain('sk-ant-secret');
  });
});

describe('bad input gets a 4xx naming the problem', () => {
  const post = async (
    path: string,
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => {
    const res = await request(`${gw.url}${path}`, { method: 'POST', headers, body });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  };
  it('malformed JSON', async () => {
    const r = await post('/v1/chat/completions', '{"model": ');
    expect(r.status).toBe(400);
    expect(validateOpenAI('ErrorResponse', r.body)).toEqual([]);
    expect(r.body.error.message).toMatch(/not valid JSON/);
    expect(r.body.error.type).toBe('invalid_request_error');
  });
  it('missing model and missing messages', async () => {
    const a = await post(
      '/v1/chat/completions',
      JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(a.status).toBe(400);
    expect(a.body.error.message).toMatch(/model/);
    const b = await post('/v1/chat/completions', JSON.stringify({ model: 'default' }));
    expect(b.status).toBe(400);
    expect(b.body.error.message).toMatch(/messages/);
  });
  it('unknown model: 404 listing the aliases', async () => {
    const r = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(r.status).toBe(404);
    expect(r.body.error.type).toBe('model_not_found');
    expect(r.body.error.message).toContain('default, claude');
  });
  it('a body over the size limit', async () => {
    const big = JSON.stringify({
      model: 'default',
      messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }],
    });
    const r = await post('/v1/chat/completions', big);
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/limit/);
  });
  it('a wrong content type', async () => {
    const r = await post('/v1/chat/completions', 'hello', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.body.error.message).toMatch(/application\/json/);
  });
  it('an unknown route', async () => {
    const res = await request(`${gw.url}/v1/nothing`);
    expect(res.statusCode).toBe(404);
    expect(((await res.body.json()) as any).error.message).toMatch(/no route/);
  });
  it('the daemon keeps serving after all of that', async () => {
    oa.setBehaviours({ kind: 'ok', text: 'still here' });
    const r = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(r.choices[0].message.content).toBe('still here');
  });
});
