import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { decodeSse } from '../helpers/sse.js';

/**
 * Gemini clients (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
 * `:countTokens`, `GET /v1beta/models`): the model in the path resolves like any name, the key
 * comes as `x-goog-api-key` or `?key=`, a Gemini deployment gets the body passed through, other
 * formats are translated (streams too), and errors, mid-stream ones included, are Google-shaped.
 */

let g: FakeGoogle;
let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;
const UPSTREAM_KEY = 'AIzaSyUpstreamKey0123456789abc';
const MASTER = 'sk-agentbox-master-1';

beforeAll(async () => {
  g = await startFakeGoogle({ apiKey: UPSTREAM_KEY });
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  const loaded = makeConfig(
    [
      { name: 'gemini', type: 'gemini', apiBase: `${g.url}/v1beta`, apiKey: UPSTREAM_KEY },
      { name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-up' },
    ],
    {
      'gemini-*': [{ provider: 'gemini', model: 'gemini-2.5-flash' }],
      'to-chat': [{ provider: 'oai', model: 'gpt-up' }],
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
    },
    {
      masterKey: MASTER,
      router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 100, cooldownS: 0 },
    },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw.stop(100);
  await g.close();
  await oa.close();
  await an.close();
});
beforeEach(() => {
  g.requests.length = 0;
  oa.requests.length = 0;
  an.requests.length = 0;
  g.setBehaviours({ kind: 'ok' });
  oa.setBehaviours({ kind: 'ok' });
  an.setBehaviours({ kind: 'ok' });
});

const hello = {
  contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  generationConfig: { temperature: 0.3, topK: 40, maxOutputTokens: 200 },
};

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'x-goog-api-key': MASTER },
) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text() };
}

const chunks = (text: string): any[] => decodeSse(text).map((e) => JSON.parse(e.data));

describe('passthrough to a Gemini deployment', () => {
  it('sends the client body as is, with the deployment model in the path and the provider key', async () => {
    const { res, text } = await post('/v1beta/models/gemini-pro-latest:generateContent', hello);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-agentbox-deployment')).toBe('gemini/gemini-2.5-flash');
    const body = JSON.parse(text);
    expect(body.candidates[0].content.parts[0].text).toBe('Hello from fake Gemini.');
    const r = g.requests[0];
    expect(r.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(r.headers['x-goog-api-key']).toBe(UPSTREAM_KEY);
    expect(r.body).toEqual(hello);
  });

  it('streams the upstream bytes through, and ?key= authenticates', async () => {
    const { res, text } = await post(
      `/v1beta/models/gemini-x:streamGenerateContent?alt=sse&key=${MASTER}`,
      hello,
      {},
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(text).toContain('\r\n\r\n'); // Google's own framing, untouched
    const all = chunks(text);
    expect(all.map((c) => c.candidates[0].content.parts.map((p: any) => p.text).join('')).join('')).toBe(
      'Hello from fake Gemini.',
    );
    expect(g.requests[0].path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('a wrong or missing key is refused in Google’s error shape', async () => {
    const { res, text } = await post('/v1beta/models/gemini-x:generateContent', hello, {
      'x-goog-api-key': 'nope',
    });
    expect(res.status).toBe(401);
    expect(JSON.parse(text)).toEqual({
      error: { code: 401, message: 'invalid API key', status: 'UNAUTHENTICATED' },
    });
    const missing = await post('/v1beta/models/gemini-x:generateContent', hello, {});
    expect(missing.res.status).toBe(401);
    expect(g.requests).toHaveLength(0);
  });

  it('an upstream error body in Gemini’s format goes back unmodified', async () => {
    const upstreamError = {
      error: {
        code: 429,
        message: 'Quota exceeded',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ retryDelay: '9s' }],
      },
    };
    g.setBehaviours({ kind: 'status', status: 429, body: upstreamError });
    const { res, text } = await post('/v1beta/models/gemini-x:generateContent', hello);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('9');
    expect(JSON.parse(text)).toEqual(upstreamError);
  });

  it('countTokens goes to the deployment’s own countTokens', async () => {
    const { res, text } = await post('/v1beta/models/gemini-x:countTokens', { contents: hello.contents });
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ totalTokens: 77 });
    expect(g.requests[0].path).toBe('/v1beta/models/gemini-2.5-flash:countTokens');
  });
});

describe('translation for other formats', () => {
  it('JSON through a Chat upstream: mapped request, Gemini-shaped answer', async () => {
    const { res, text } = await post('/v1beta/models/to-chat:generateContent', hello);
    expect(res.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.candidates[0]).toMatchObject({
      content: { role: 'model', parts: [{ text: 'Hello from the fake upstream.' }] },
      finishReason: 'STOP',
    });
    expect(body.usageMetadata).toEqual({
      promptTokenCount: 11,
      candidatesTokenCount: 7,
      totalTokenCount: 18,
    });
    expect(body.modelVersion).toBe('to-chat');
    expect(oa.requests[0].body).toMatchObject({
      model: 'gpt-up',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.3,
    });
  });

  it('a stream through an Anthropic upstream, ending with the finish reason and usage', async () => {
    const { res, text } = await post('/v1beta/models/to-anthropic:streamGenerateContent?alt=sse', hello);
    expect(res.status).toBe(200);
    const all = chunks(text);
    const said = all
      .map((c) => (c.candidates[0].content?.parts ?? []).map((p: any) => p.text ?? '').join(''))
      .join('');
    expect(said).toBe('Hello from the fake upstream.');
    const last = all[all.length - 1];
    expect(last.candidates[0].finishReason).toBe('STOP');
    expect(last.usageMetadata.candidatesTokenCount).toBe(7);
    expect(an.requests[0].body).toMatchObject({
      model: 'claude-up',
      top_k: 40,
      max_tokens: 200,
      stream: true,
    });
  });

  it('a function call round trip through a Chat upstream', async () => {
    oa.setBehaviours(
      { kind: 'ok', tool: { name: 'read_file', args: { absolute_path: '/tmp/a.txt' } } },
      { kind: 'ok', text: 'It says hi.' },
    );
    const tools = [
      {
        functionDeclarations: [
          {
            name: 'read_file',
            description: 'Reads a file',
            parametersJsonSchema: { type: 'object', properties: { absolute_path: { type: 'string' } } },
          },
        ],
      },
    ];
    const first = await post('/v1beta/models/to-chat:streamGenerateContent?alt=sse', { ...hello, tools });
    const call = chunks(first.text)
      .flatMap((c) => c.candidates[0].content?.parts ?? [])
      .find((p: any) => p.functionCall).functionCall;
    expect(call).toEqual({ id: 'call_fake1', name: 'read_file', args: { absolute_path: '/tmp/a.txt' } });
    expect(oa.requests[0].body.tools[0].function).toMatchObject({ name: 'read_file' });

    const second = await post('/v1beta/models/to-chat:generateContent', {
      ...hello,
      tools,
      contents: [
        ...hello.contents,
        { role: 'model', parts: [{ functionCall: call }] },
        {
          role: 'user',
          parts: [{ functionResponse: { id: call.id, name: 'read_file', response: { output: 'hi' } } }],
        },
      ],
    });
    expect(JSON.parse(second.text).candidates[0].content.parts[0].text).toBe('It says hi.');
    const msgs = oa.requests[1].body.messages;
    expect(msgs[2]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_fake1', function: { name: 'read_file' } }],
    });
    expect(msgs[3]).toEqual({ role: 'tool', tool_call_id: 'call_fake1', content: 'hi' });
  });

  it('an upstream that dies mid-stream ends in a Google error event, not a finish', async () => {
    an.setBehaviours({ kind: 'cut', afterEvents: 3 });
    const { res, text } = await post('/v1beta/models/to-anthropic:streamGenerateContent?alt=sse', hello);
    expect(res.status).toBe(200);
    const all = chunks(text);
    const last = all[all.length - 1];
    expect(last.error).toMatchObject({ code: 502, status: 'UNAVAILABLE' });
    expect(all.some((c) => c.candidates?.[0]?.finishReason)).toBe(false);
  });

  it('Gemini-only features are refused by name, not dropped', async () => {
    const { res, text } = await post('/v1beta/models/to-chat:generateContent', {
      ...hello,
      tools: [{ googleSearch: {} }],
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(text).error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: expect.stringContaining('tools[0].googleSearch'),
    });
    expect(oa.requests).toHaveLength(0);
  });

  it('countTokens for a non-Gemini deployment is counted locally', async () => {
    const { res, text } = await post('/v1beta/models/to-chat:countTokens', { contents: hello.contents });
    expect(res.status).toBe(200);
    expect(JSON.parse(text).totalTokens).toBeGreaterThan(0);
  });
});

describe('models', () => {
  it('GET /v1beta/models lists the aliases as Gemini models; unknown models 404 in Google’s shape', async () => {
    const res = await fetch(`${gw.url}/v1beta/models`, { headers: { 'x-goog-api-key': MASTER } });
    const body = (await res.json()) as any;
    expect(body.models.map((m: any) => m.name)).toEqual(['models/to-chat', 'models/to-anthropic']);
    const { res: nf, text } = await post('/v1beta/models/nope:generateContent', hello);
    expect(nf.status).toBe(404);
    expect(JSON.parse(text).error.status).toBe('NOT_FOUND');
  });
});
