import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { request } from 'undici';

/**
 * Upstreams that send SSE keep-alives (`event: ping`, `: comments`) and then nothing: the timeout
 * counts time without content, so before the commit point the request falls back to the healthy
 * second deployment, and after it the client gets the dialect's error event (never a clean end).
 */
// 300 × 100 ms of keep-alives (30 s): an upstream that keeps the line warm and never answers. The
// client gives up after 10 s; the gateway's 0.8 s timeout must act long before that.
const PINGS = 300;
const anthropicPings = Array.from({ length: PINGS }, () => 'event: ping\ndata: {"type": "ping"}\n\n');
const openaiPings = Array.from({ length: PINGS }, () => ': keep-alive\n\n');
const START = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'c', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } })}\n\n`;
const BLOCK = `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\nevent: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })}\n\n`;
const CHUNK = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })}\n\n`;

let pingA: FakeUpstream;
let pingO: FakeUpstream;
let healthy: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  pingA = await startFakeUpstream('anthropic');
  pingO = await startFakeUpstream('openai');
  healthy = await startFakeUpstream('openai', { kind: 'ok', text: 'fine' });
  const loaded = makeConfig(
    [
      { name: 'pa', type: 'anthropic', apiBase: pingA.apiBase, apiKey: 'sk-a' },
      { name: 'po', type: 'openai', apiBase: pingO.apiBase, apiKey: 'sk-o' },
      { name: 'ok', type: 'openai', apiBase: healthy.apiBase, apiKey: 'sk-h' },
    ],
    {
      a: [
        { provider: 'pa', model: 'c' },
        { provider: 'ok', model: 'h' },
      ],
      o: [
        { provider: 'po', model: 'm' },
        { provider: 'ok', model: 'h' },
      ],
      solo: [{ provider: 'pa', model: 'c' }],
      solo_o: [{ provider: 'po', model: 'm' }],
    },
    { router: { numRetries: 0, timeoutS: 0.8, retryAfterSeconds: 60, allowedFails: 100, cooldownS: 1 } },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await Promise.all([pingA, pingO, healthy].map((u) => u?.close()));
});

async function ask(model: string, path = '/v1/chat/completions') {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      stream: true,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers as Record<string, string>, text };
}

describe('SSE keep-alives do not feed the idle timer', () => {
  it('sse keep-alive pings before any content (Anthropic event: ping): times out and falls back', async () => {
    pingA.setBehaviours({
      kind: 'raw',
      chunks: [
        START.replace('message_start', 'ping').replace(/"type":"message_start".*/, '"type":"ping"}\n\n'),
        ...anthropicPings,
      ],
      gapMs: 100,
    });
    const r = await ask('a');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-deployment']).toBe('ok/h');
    expect(r.headers['x-agentbox-fallbacks']).toBe('1');
    expect(r.text).toContain('"fine"');
    expect(r.text).toContain('[DONE]');
  });

  it('sse keep-alive comments before any content (OpenAI-format): times out and falls back', async () => {
    pingO.setBehaviours({ kind: 'raw', chunks: openaiPings, gapMs: 100 });
    const r = await ask('o', '/v1/messages');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-deployment']).toBe('ok/h');
    expect(r.text).toContain('"fine"');
    expect(r.text).toContain('message_stop');
  });

  it('sse keep-alives after the commit point: the stream ends with the dialect error, no clean end', async () => {
    pingA.setBehaviours({ kind: 'raw', chunks: [START + BLOCK, ...anthropicPings], gapMs: 100 });
    const m = await ask('solo', '/v1/messages');
    expect(m.status).toBe(200);
    expect(m.text).toContain('"text":"Hi"');
    expect(m.text).toMatch(/event: error\ndata: .*"type":"timeout_error".*keep-alives only/);
    expect(m.text).not.toContain('message_stop');

    pingO.setBehaviours({ kind: 'raw', chunks: [CHUNK, ...openaiPings], gapMs: 100 });
    const c = await ask('solo_o');
    expect(c.text).toContain('"content":"Hi"');
    expect(c.text).toMatch(/data: \{"error":\{.*keep-alives only/);
    expect(c.text).not.toContain('[DONE]');
  });
});
