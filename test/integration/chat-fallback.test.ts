import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type Behaviour } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { validateOpenAI } from '../helpers/openai-schema.js';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

/** Two OpenAI-format deployments behind alias `default`: `first` misbehaves as told, `second` answers. */
async function twoDeployments(first: Behaviour[], opts: { timeoutS?: number; numRetries?: number } = {}) {
  const a = await startFakeUpstream('openai', ...first);
  const b = await startFakeUpstream('openai', { kind: 'ok', text: 'second says hi' });
  const loaded = makeConfig(
    [
      { name: 'one', type: 'openai', apiBase: a.apiBase, apiKey: 'sk-one-secret' },
      { name: 'two', type: 'openai_compatible', apiBase: b.apiBase },
    ],
    {
      default: [
        { provider: 'one', model: 'm1' },
        { provider: 'two', model: 'm2' },
      ],
    },
  );
  loaded.config.router.timeoutS = opts.timeoutS ?? 5;
  loaded.config.router.numRetries = opts.numRetries ?? 2;
  const gw = await startTestGateway(loaded);
  open.push(a, b, gw);
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  return { a, b, gw, client };
}

async function chat(client: OpenAI, stream = false) {
  if (!stream) {
    const { data, response } = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    return { text: data.choices[0].message.content, headers: response.headers, data };
  }
  const s = client.chat.completions.stream({ model: 'default', messages: [{ role: 'user', content: 'hi' }] });
  const final = await s.finalChatCompletion();
  return { text: final.choices[0].message.content, data: final };
}

describe('fallback chain with the openai SDK', () => {
  it('a 429 with Retry-After on the first deployment falls back to the second at once', async () => {
    const { a, b, client } = await twoDeployments([
      { kind: 'status', status: 429, headers: { 'retry-after': '20' } },
    ]);
    const r = await chat(client);
    expect(r.text).toBe('second says hi');
    expect(validateOpenAI('CreateChatCompletionResponse', r.data)).toEqual([]);
    expect(r.headers!.get('x-agentbox-deployment')).toBe('two/m2');
    expect(r.headers!.get('x-agentbox-attempts')).toBe('2');
    expect(r.headers!.get('x-agentbox-fallbacks')).toBe('1');
    expect(r.headers!.get('x-request-id')).toMatch(/^req_/);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    // The 429 with Retry-After cooled the first deployment: the next request goes straight to the second.
    await chat(client);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(2);
  });

  it('sends the provider key upstream, never the client key', async () => {
    const { a, b, client } = await twoDeployments([{ kind: 'ok', text: 'first' }]);
    await chat(client);
    expect(a.requests[0].headers.authorization).toBe('Bearer sk-one-secret');
    expect(a.requests[0].body.model).toBe('m1');
    expect(JSON.stringify(a.requests[0].headers)).not.toContain('client-key');
    expect(b.requests).toHaveLength(0);
  });

  it('a 500 is retried once, then falls back', async () => {
    const { a, client } = await twoDeployments([{ kind: 'status', status: 500 }]);
    const r = await chat(client);
    expect(r.text).toBe('second says hi');
    expect(a.requests).toHaveLength(2);
    expect(r.headers!.get('x-agentbox-attempts')).toBe('3');
  });

  it('a connection reset falls back', async () => {
    const { client } = await twoDeployments([{ kind: 'reset' }]);
    expect((await chat(client)).text).toBe('second says hi');
  });

  it('a stall before headers times out and falls back', async () => {
    const { client } = await twoDeployments([{ kind: 'stall-headers', ms: 5000 }], { timeoutS: 0.3 });
    const r = await chat(client);
    expect(r.text).toBe('second says hi');
    expect(r.headers!.get('x-agentbox-deployment')).toBe('two/m2');
  });

  it('malformed JSON from the first deployment falls back', async () => {
    const { client } = await twoDeployments([{ kind: 'malformed' }]);
    expect((await chat(client)).text).toBe('second says hi');
  });

  it('a context-length error moves on to the next deployment', async () => {
    const { a, client } = await twoDeployments([{ kind: 'context' }]);
    expect((await chat(client)).text).toBe('second says hi');
    expect(a.requests).toHaveLength(1);
  });

  it('a client error (400) is returned at once with its status and body', async () => {
    const { b, client } = await twoDeployments([
      {
        kind: 'status',
        status: 400,
        body: {
          error: {
            message: 'bad temperature',
            type: 'invalid_request_error',
            param: 'temperature',
            code: null,
          },
        },
      },
    ]);
    const e = await chat(client).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.message).toContain('bad temperature');
    expect(b.requests).toHaveLength(0);
  });

  it('streams: a failure before the first token still falls back', async () => {
    const { client } = await twoDeployments([{ kind: 'cut', afterEvents: 1 }]);
    const r = await chat(client, true);
    expect(r.text).toBe('second says hi');
  });

  it('streams: a stall before the first token times out and falls back', async () => {
    const { client } = await twoDeployments([{ kind: 'stall-mid', afterEvents: 1, ms: 3000 }], {
      timeoutS: 0.3,
    });
    expect((await chat(client, true)).text).toBe('second says hi');
  });

  it('streams: an error event before any content falls back', async () => {
    const { client } = await twoDeployments([{ kind: 'error-event' }]);
    expect((await chat(client, true)).text).toBe('second says hi');
  });

  it('every deployment failing gives a 502 listing the attempts, without keys', async () => {
    const { b, client } = await twoDeployments([{ kind: 'status', status: 503 }], { numRetries: 0 });
    b.setBehaviours({ kind: 'status', status: 500 });
    const e = await chat(client).catch((x) => x);
    expect(e.status).toBe(502);
    expect(e.error.type).toBe('api_error');
    expect(e.message).toContain('one/m1');
    expect(e.message).toContain('two/m2');
    expect(e.message).not.toContain('sk-one-secret');
  });
});
