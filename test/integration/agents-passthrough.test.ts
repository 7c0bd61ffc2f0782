import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * Same dialect on both sides (Claude Code → an Anthropic deployment, Codex → an OpenAI one): the
 * body goes up unchanged except `model`, protocol headers are forwarded, the stream and the
 * upstream's errors come back byte for byte.
 */

const CLIENT_KEY = 'sk-client-never-upstream';
const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const claudeTool = JSON.parse(fixture('anthropic/claude-tool-full.json')) as {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
};
const anthropicSse = fixture('anthropic/stream-thinking-text-tool.sse');
/** The stream as the client receives it: the same bytes, the thinking signature marked with its origin. */
const markedSse = anthropicSse.replace('"signature":"EqQB', '"signature":"agentbox:anthropic:EqQB');

/** Split at odd places (inside lines, inside multi-byte characters) so nothing relies on framing. */
function chunks(text: string, size = 37): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const RESPONSES_SSE = [
  [
    'response.created',
    { response: { id: 'resp_up1', object: 'response', status: 'in_progress', model: 'gpt-5.5', output: [] } },
  ],
  [
    'response.output_item.added',
    {
      output_index: 0,
      item: { id: 'msg_up1', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
  ],
  [
    'response.output_text.delta',
    { item_id: 'msg_up1', output_index: 0, content_index: 0, delta: 'Hi — ', obfuscation: 'x1' },
  ],
  ['response.output_text.delta', { item_id: 'msg_up1', output_index: 0, content_index: 0, delta: 'Codex ✓' }],
  [
    'response.output_item.done',
    {
      output_index: 0,
      item: {
        id: 'msg_up1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hi — Codex ✓', annotations: [] }],
      },
    },
  ],
  [
    'response.completed',
    {
      response: {
        id: 'resp_up1',
        object: 'response',
        status: 'completed',
        model: 'gpt-5.5',
        output: [],
        usage: {
          input_tokens: 30,
          output_tokens: 5,
          total_tokens: 35,
          input_tokens_details: { cached_tokens: 10 },
        },
      },
    },
  ],
]
  .map(
    ([type, data], i) =>
      `event: ${type as string}\ndata: ${JSON.stringify({ type, sequence_number: i, ...(data as object) })}\n\n`,
  )
  .join('');

let an: FakeUpstream;
let oai: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  an = await startFakeUpstream('anthropic');
  oai = await startFakeUpstream('openai');
  const loaded = makeConfig(
    [
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
      { name: 'openai', type: 'openai', apiBase: oai.apiBase, apiKey: 'sk-openai-upstream' },
    ],
    {
      'claude-*': [{ provider: 'anthropic', model: 'claude-up' }],
      code: [{ provider: 'openai', model: 'gpt-up' }],
    },
    { router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 100, cooldownS: 0 } },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw.stop(100);
  await an.close();
  await oai.close();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY, ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function expectNoClientKey(headers: Record<string, unknown>): void {
  expect(JSON.stringify(headers)).not.toContain(CLIENT_KEY);
}

describe('Messages → Anthropic passthrough (a real Claude Code request)', () => {
  it('sends the body unchanged except model, forwards the protocol headers, streams back byte for byte', async () => {
    an.setBehaviours({ kind: 'raw', chunks: chunks(anthropicSse) });
    const sent = JSON.stringify(claudeTool.body);
    const r = await post(claudeTool.url, sent, {
      ...claudeTool.headers,
      'x-claude-code-session-id': 'sess-1',
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(markedSse).not.toBe(anthropicSse);
    expect(r.text).toBe(markedSse);

    const up = an.requests.at(-1)!;
    expect(up.path).toBe('/v1/messages');
    // Byte-level: the same JSON text with only the model replaced (tools, $schema, big integer
    // bounds, cache_control, thinking, context_management, role:"system" messages all intact).
    expect(up.raw).toBe(JSON.stringify({ ...claudeTool.body, model: 'claude-up' }));
    expect(up.headers['anthropic-beta']).toBe(claudeTool.headers['anthropic-beta']);
    expect(up.headers['anthropic-version']).toBe('2023-06-01');
    expect(up.headers['x-api-key']).toBe('sk-ant-upstream');
    expect(up.headers.authorization).toBeUndefined();
    expectNoClientKey(up.headers);
  });

  it('passes any anthropic-version and Bearer auth through the same way', async () => {
    an.setBehaviours({ kind: 'ok', text: 'json answer' });
    const body = { ...claudeTool.body, stream: false };
    const r = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${CLIENT_KEY}`,
        'anthropic-version': '2026-10-21',
      },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
    const json = (await r.json()) as { content: Array<{ text: string }> };
    expect(json.content[0].text).toBe('json answer');
    const up = an.requests.at(-1)!;
    expect(up.headers['anthropic-version']).toBe('2026-10-21');
    expect(up.raw).toBe(JSON.stringify({ ...body, model: 'claude-up' }));
    expectNoClientKey(up.headers);
  });

  it('returns the upstream JSON body byte for byte', async () => {
    const upstreamJson =
      '{"id":"msg_x","type":"message","role":"assistant","model":"claude-up","content":[{"type":"text","text":"exact  bytes ✓"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":2}}';
    an.setBehaviours({
      kind: 'raw',
      headers: { 'content-type': 'application/json' },
      chunks: [upstreamJson],
    });
    const r = await post(
      '/v1/messages',
      JSON.stringify({ ...claudeTool.body, stream: false }),
      claudeTool.headers,
    );
    expect(r.status).toBe(200);
    expect(r.text).toBe(upstreamJson);
  });

  it.each([
    [
      400,
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'messages.3.content.0: unexpected `tool_use_id` found in `tool_result` blocks',
        },
      },
    ],
    [401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }],
    [
      429,
      {
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'Number of request tokens has exceeded your per-minute rate limit',
        },
      },
    ],
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }],
  ])('an upstream %i comes back with its status and body unmodified', async (status, body) => {
    const text = `${JSON.stringify(body, null, 1)}\n`;
    an.setBehaviours({
      kind: 'raw',
      status,
      headers: { 'content-type': 'application/json', 'retry-after': '3' },
      chunks: [text],
    });
    const r = await post(claudeTool.url, JSON.stringify(claudeTool.body), claudeTool.headers);
    expect(r.status).toBe(status);
    expect(r.text).toBe(text);
    if (status === 429) expect(r.headers.get('retry-after')).toBe('3');
  });

  it('an upstream error event mid-stream reaches the client once, as sent, with no message_stop', async () => {
    const head = anthropicSse.split('event: content_block_stop')[0];
    const errorEvent =
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    an.setBehaviours({ kind: 'raw', chunks: [...chunks(head), errorEvent] });
    const r = await post(claudeTool.url, JSON.stringify(claudeTool.body), claudeTool.headers);
    expect(r.status).toBe(200);
    expect(r.text).toBe(
      head.replace('"signature":"EqQB', '"signature":"agentbox:anthropic:EqQB') + errorEvent,
    );
    expect(r.text).not.toContain('message_stop');
  });
});

describe('Responses → OpenAI passthrough (a real Codex request)', () => {
  const codex = JSON.parse(fixture('responses/codex-patch-round.json')) as { body: Record<string, unknown> };

  it('sends every Responses field unchanged except model, streams back byte for byte', async () => {
    oai.setBehaviours({ kind: 'raw', chunks: chunks(RESPONSES_SSE, 29) });
    const body = { ...codex.body, model: 'code' };
    const r = await post('/v1/responses', JSON.stringify(body), { authorization: `Bearer ${CLIENT_KEY}` });
    expect(r.status).toBe(200);
    expect(r.text).toBe(RESPONSES_SSE);
    const up = oai.requests.at(-1)!;
    expect(up.path).toBe('/v1/responses');
    expect(up.raw).toBe(JSON.stringify({ ...body, model: 'gpt-up' }));
    expect(up.headers.authorization).toBe('Bearer sk-openai-upstream');
    expectNoClientKey(up.headers);
  });

  it('an upstream 400 comes back unmodified', async () => {
    const text = JSON.stringify({
      error: {
        message: "Invalid value: 'custom'. Supported values are: 'function'.",
        type: 'invalid_request_error',
        param: 'tools[3].type',
        code: 'invalid_value',
      },
    });
    oai.setBehaviours({
      kind: 'raw',
      status: 400,
      headers: { 'content-type': 'application/json' },
      chunks: [text],
    });
    const r = await post('/v1/responses', JSON.stringify({ ...codex.body, model: 'code' }));
    expect(r.status).toBe(400);
    expect(r.text).toBe(text);
  });
});
