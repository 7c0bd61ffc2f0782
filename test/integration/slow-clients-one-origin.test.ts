import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { post } from '../helpers/usage.js';

/**
 * Many long-lived streams on one upstream origin (slow readers, long generations) must not starve
 * other requests to that origin: each request holds only its own upstream connection, and there is
 * no per-origin cap below the concurrency the gateway serves.
 */
const HELD = 140; // above the 128-connection cap pools used to have
const CHUNK = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] })}\n\n`;
let up: FakeUpstream;
let gw: Gateway;
const clients = new Agent({ connections: null });

beforeAll(async () => {
  up = await startFakeUpstream('openai', {
    kind: 'decide',
    // Streams trickle for a long time (30 s); plain requests answer at once.
    decide: (r) =>
      r.body?.stream ? { kind: 'raw', chunks: Array(60).fill(CHUNK), gapMs: 500 } : { kind: 'ok' },
  });
  const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-p' }], {
    m: [{ provider: 'p', model: 'm' }],
  });
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await up?.close();
  await clients.close();
});

describe('one upstream origin under many held streams', () => {
  it('slow clients on one origin do not starve other requests to it', async () => {
    const aborts = new AbortController();
    let closedEarly = 0;
    const held = Array.from({ length: HELD }, async (_, i) => {
      try {
        const res = await request(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: `${i}` }] }),
          signal: aborts.signal,
          dispatcher: clients,
        });
        // A slow reader: it takes the first bytes, then stops reading (and stays connected).
        await new Promise<void>((r) => res.body.once('data', () => r()));
        res.body.pause();
        await new Promise<void>((r) => res.body.once('error', () => r()).once('close', () => r()));
        if (!aborts.signal.aborted) closedEarly++;
      } catch {
        // aborted at the end of the test
      }
    });
    // Wait (bounded) until every held stream has reached the upstream.
    const deadline = Date.now() + 60_000;
    while (up.requests.length < HELD && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(up.requests.length).toBe(HELD);
    try {
      const quick = await Promise.all(
        Array.from({ length: 4 }, () =>
          post(`${gw.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        ),
      );
      expect(quick.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      // They were served while every held stream was still open upstream (30 s streams).
      expect(up.requests.length).toBe(HELD + 4);
      expect(closedEarly).toBe(0);
    } finally {
      aborts.abort();
      await Promise.all(held);
    }
  }, 120_000);
});
