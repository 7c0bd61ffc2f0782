import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * `type: gemini` upstreams through the real OpenAI and Anthropic SDKs: the native API with the
 * provider's key in `x-goog-api-key`, the model in the path, translation both ways (system,
 * tools, thought signatures, usage with cached and thought tokens), and Google's errors
 * classified: 429 RESOURCE_EXHAUSTED with its retryDelay, 400 context overflow, 403, 5xx,
 * and a stream that stops without a finish reason.
 */

let g: FakeGoogle;
let oa: FakeUpstream;
let gw: Gateway;
let openai: OpenAI;
let anthropic: Anthropic;
const KEY = 'AIzaSyFakeUpstreamKey0123456789';

beforeAll(async () => {
  g = await startFakeGoogle({ apiKey: KEY });
  oa = await startFakeUpstream('openai');
  const loaded = makeConfig(
    [
      { name: 'gemini', type: 'gemini', apiBase: `${g.url}/v1beta`, apiKey: KEY },
      { name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase },
    ],
    {
      gem: [{ provider: 'gemini', model: 'gemini-2.5-pro' }],
      embed: [{ provider: 'gemini', model: 'gemini-embedding-001' }],
      'gem-then-oai': [
        { provider: 'gemini', model: 'gemini-2.5-flash' },
        { provider: 'oai', model: 'gpt-up' },
      ],
    },
    { router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 1, cooldownS: 30 } },
  );
  gw = await startTestGateway(loaded);
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await g.close();
  await oa.close();
});
beforeEach(() => {
  g.requests.length = 0;
  g.setBehaviours({ kind: 'ok' });
});

describe('OpenAI Chat client → Gemini upstream', () => {
  it('sends the native request with the provider key and maps the answer and usage back', async () => {
    const res = await openai.chat.completions.create({
      model: 'gem',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 100,
      temperature: 0.2,
      stop: ['END'],
      response_format: { type: 'json_object' },
    });
    expect(res.choices[0].message.content).toBe('Hello from fake Gemini.');
    expect(res.choices[0].finish_reason).toBe('stop');
    // Gemini's 120 prompt tokens include 100 cached; its 30 candidates exclude 50 thought tokens.
    expect(res.usage?.prompt_tokens).toBe(120);
    expect(res.usage?.completion_tokens).toBe(80);
    const r = g.requests[0];
    expect(r.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
    expect(r.headers['x-goog-api-key']).toBe(KEY);
    expect(r.headers.authorization).toBeUndefined();
    expect(JSON.stringify(r.headers)).not.toContain('client-key');
    expect(r.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: {
        temperature: 0.2,
        maxOutputTokens: 100,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
      },
    });
  });

  it('is priced from the catalogue, cached and thinking tokens included', async () => {
    const { response } = await openai.chat.completions
      .create({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    // gemini-2.5-pro: $1.25/M input, $0.125/M cached input, $10/M output (thoughts are output):
    // 20 fresh input + 100 cached input + (30 + 50) output tokens.
    const expected = (20 * 1.25 + 100 * 0.125 + 80 * 10) / 1e6;
    expect(Number(response.headers.get('x-agentbox-cost'))).toBeCloseTo(expected, 12);
  });

  it('streams from streamGenerateContent?alt=sse', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gem',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Hello from fake Gemini.');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(80);
    expect(g.requests[0].path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
  });

  it('refuses a Chat parameter Gemini has no equivalent for, naming it', async () => {
    const err = await openai.chat.completions
      .create({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }], logit_bias: { '1': 1 } })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(String((err as Error).message)).toMatch(/logit_bias/);
    expect(g.requests).toHaveLength(0);
  });

  it('a stream that stops without a finish reason ends in an error, not a clean end', async () => {
    g.setBehaviours({ kind: 'cut' });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gem', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const text = await res.text();
    expect(text).toContain('Hello');
    expect(text).not.toContain('[DONE]');
    expect(text).toMatch(/"error"/);
  });
});

describe('OpenAI embeddings → Gemini batchEmbedContents', () => {
  it('maps inputs and dimensions, and honours the base64 encoding the SDK asks for', async () => {
    const res = await openai.embeddings.create({ model: 'embed', input: ['alpha', 'beta'], dimensions: 3 });
    expect(res.data.map((d) => d.embedding)).toEqual([
      [0.25, -0.5, 0.125],
      [0.25, -0.5, 0.125],
    ]);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const r = g.requests[0];
    expect(r.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(r.headers['x-goog-api-key']).toBe(KEY);
    expect(r.body.requests[1]).toEqual({
      model: 'models/gemini-embedding-001',
      content: { parts: [{ text: 'beta' }] },
      outputDimensionality: 3,
    });
    const tokens = await fetch(`${gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'embed', input: [[1, 2, 3]] }),
    });
    expect(tokens.status).toBe(400);
    expect(await tokens.text()).toMatch(/token arrays/);
  });
});

describe('OpenAI Responses client (what Codex speaks) → Gemini upstream', () => {
  it('streams a translated answer with the full Responses event sequence', async () => {
    const stream = await openai.responses.create({
      model: 'gem',
      input: 'Hi',
      instructions: 'Be brief.',
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
    }
    expect(text).toBe('Hello from fake Gemini.');
    expect(types[types.length - 1]).toBe('response.completed');
    expect(g.requests[0].body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
  });
});

describe('Anthropic client → Gemini upstream: tools and thought signatures', () => {
  it('round-trips a function call, its signature and its result', async () => {
    g.setBehaviours(
      {
        kind: 'ok',
        thought: 'I should read it.',
        call: { name: 'read_file', args: { path: 'a.txt' } },
        signature: 'R2VtaW5pU2ln',
      },
      { kind: 'ok', text: 'The file says hi.' },
    );
    const tools = [
      {
        name: 'read_file',
        description: 'read a file',
        input_schema: {
          type: 'object' as const,
          properties: { path: { type: 'string' } },
          required: ['path'],
        },
      },
    ];
    const first = await anthropic.messages.create({
      model: 'gem',
      max_tokens: 500,
      tools,
      messages: [{ role: 'user', content: 'read a.txt' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'read_file', input: { path: 'a.txt' } });
    const decl = g.requests[0].body.tools[0].functionDeclarations[0];
    expect(decl).toEqual({
      name: 'read_file',
      description: 'read a file',
      parametersJsonSchema: tools[0].input_schema,
    });

    const second = await anthropic.messages.create({
      model: 'gem',
      max_tokens: 500,
      tools,
      messages: [
        { role: 'user', content: 'read a.txt' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: 'hi' },
          ],
        },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'The file says hi.' });
    const contents = g.requests[1].body.contents;
    const model = contents[1];
    expect(model.role).toBe('model');
    const call = model.parts.find((p: any) => p.functionCall);
    // Gemini requires the signature back on the functionCall part it came on.
    expect(call.thoughtSignature).toBe('R2VtaW5pU2ln');
    expect(call.functionCall).toMatchObject({ name: 'read_file', args: { path: 'a.txt' } });
    expect(contents[2].parts[0].functionResponse).toEqual({
      id: use!.type === 'tool_use' ? use!.id : '',
      name: 'read_file',
      response: { output: 'hi' },
    });
  });
});

describe('Google errors, classified', () => {
  it('429 RESOURCE_EXHAUSTED with a retryDelay: that wait goes back as Retry-After', async () => {
    g.setBehaviours({
      kind: 'status',
      status: 429,
      body: {
        error: {
          code: 429,
          message: 'You exceeded your current quota.',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' }],
        },
      },
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('37');
    expect(((await res.json()) as any).error.message).toMatch(/quota/);
  });

  it('429 falls back to the next deployment, which then serves while the first cools down', async () => {
    g.setBehaviours({
      kind: 'status',
      status: 429,
      body: {
        error: {
          code: 429,
          message: 'quota',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ retryDelay: '20s' }],
        },
      },
    });
    const a = await openai.chat.completions
      .create({ model: 'gem-then-oai', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(a.response.headers.get('x-agentbox-deployment')).toBe('oai/gpt-up');
    const n = g.requests.length;
    const b = await openai.chat.completions
      .create({ model: 'gem-then-oai', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(b.response.headers.get('x-agentbox-deployment')).toBe('oai/gpt-up');
    expect(g.requests.length).toBe(n); // cooling down: not asked again
  });

  it('400 about the input token count is a context-window failure (falls back); 403 is not retried', async () => {
    g.setBehaviours({
      kind: 'status',
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
          status: 'INVALID_ARGUMENT',
        },
      },
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.type).toBe('invalid_request_error');

    g.requests.length = 0;
    g.setBehaviours({
      kind: 'status',
      status: 403,
      body: {
        error: { code: 403, message: `Permission denied for key ${KEY}`, status: 'PERMISSION_DENIED' },
      },
    });
    const denied = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(denied.status).toBe(403);
    const text = await denied.text();
    expect(text).not.toContain(KEY);
    expect(g.requests).toHaveLength(1);
  });
});
