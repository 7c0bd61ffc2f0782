import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { countTokensLocally } from '../../src/gateway/usage/count-tokens.js';
import { openaiChatDialect } from '../../src/gateway/dialects/openai-chat.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { ledgerRecords, post } from '../helpers/usage.js';

/**
 * A stream that ends without the upstream's usage — the client reads one token and hangs up, the
 * upstream is cut, or it never reports usage — is settled at no less than its counted prompt plus
 * the output seen, and its ledger row says `estimated`. A tight budget therefore stops such
 * streams instead of letting them through at $0.
 */
const PRICE = 1e-6; // $ per token, in and out
let up: FakeUpstream;
let ant: FakeUpstream;
let gw: Gateway;
let dir: string;

const PROMPT = Array.from({ length: 400 }, (_, i) => `word${i} of a long prompt`).join(' ');
const chatBody = {
  model: 'm',
  stream: true,
  max_tokens: 16,
  messages: [{ role: 'user', content: PROMPT }],
};
const counted = countTokensLocally(openaiChatDialect.decodeRequest(chatBody), 'gpt-x');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-est-'));
  up = await startFakeUpstream('openai');
  ant = await startFakeUpstream('anthropic');
  const price = { inputCostPerToken: PRICE, outputCostPerToken: PRICE };
  const loaded = makeConfig(
    [
      { name: 'o', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-o-test' },
      { name: 'a', type: 'anthropic', apiBase: ant.apiBase, apiKey: 'sk-a-test' },
    ],
    { m: [{ provider: 'o', model: 'gpt-x', ...price }], c: [{ provider: 'a', model: 'claude-x', ...price }] },
    { budgets: { usdPerDay: counted * PRICE * 3.5 } },
  );
  gw = await startTestGateway(loaded, { stateDir: dir });
});
afterAll(async () => {
  await gw?.stop(100);
  await Promise.all([up?.close(), ant?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Stream a request, read the first chunk of the answer, hang up; resolves with its status and that chunk. */
function readOneAndHangUp(path: string, body: unknown): Promise<{ status: number; first: string }> {
  const u = new URL(path, gw.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(u, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.once('data', (c: Buffer) => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, first: c.toString('utf8') });
      });
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end(JSON.stringify(body));
  });
}

async function recordFor(n: number): Promise<any[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    await gw.state.usage!.ledger!.flush();
    const recs = ledgerRecords(dir);
    if (recs.length >= n || Date.now() > deadline) return recs;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a stream without usage is settled at the counted prompt', () => {
  it('stream client hangs up after one token: settled at the counted prompt, ledger says estimated', async () => {
    up.setBehaviours({ kind: 'slow', ms: 300 });
    const { status, first } = await readOneAndHangUp('/v1/chat/completions', chatBody);
    expect(status).toBe(200);
    expect(first).toContain('data:');
    const [rec] = await recordFor(1);
    expect(rec).toMatchObject({ alias: 'm', stream: true, estimated: true });
    expect(rec.input_tokens).toBe(counted);
    expect(counted).toBeGreaterThan(2000);
    expect(rec.usd).toBeGreaterThanOrEqual(counted * PRICE);
  });

  it('stream upstream ends cleanly but never reports usage: counted prompt plus the output seen', async () => {
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    up.setBehaviours({
      kind: 'raw',
      chunks: [
        chunk({ role: 'assistant', content: 'one two three four five' }),
        chunk({}, 'stop'),
        'data: [DONE]\n\n',
      ],
    });
    const r = await post(`${gw.url}/v1/chat/completions`, chatBody);
    expect(r.status).toBe(200);
    expect(r.text).toContain('[DONE]');
    const rec = (await recordFor(2)).find((x) => x.id === r.headers['x-request-id']);
    expect(rec).toMatchObject({ estimated: true, input_tokens: counted });
    expect(rec.output_tokens).toBeGreaterThanOrEqual(5);
  });

  it('stream with the upstream usage: settled as reported, not estimated', async () => {
    up.setBehaviours({ kind: 'ok', usage: { input: 11, output: 7 } });
    const r = await post(`${gw.url}/v1/chat/completions`, chatBody);
    const rec = (await recordFor(3)).find((x) => x.id === r.headers['x-request-id']);
    expect(rec).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    expect(rec.estimated).toBeUndefined();
  });

  it('stream cut after Anthropic message_start: input kept at least the count, output raised to what was seen', async () => {
    ant.setBehaviours({ kind: 'cut', afterEvents: 4 }, { kind: 'ok' });
    const r = await post(`${gw.url}/v1/messages`, { ...chatBody, model: 'c' });
    expect(r.text).toMatch(/event: error/);
    const rec = (await recordFor(4)).find((x) => x.id === r.headers['x-request-id']);
    expect(rec.estimated).toBe(true);
    expect(rec.input_tokens).toBeGreaterThan(2000);
  });

  it('stream hang-ups cannot spend around the budget: the next one is refused with 402', async () => {
    // The budget covers 3.5 counted prompts; the streams above were settled at about three.
    up.setBehaviours({ kind: 'slow', ms: 300 });
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      const { status } = await readOneAndHangUp('/v1/chat/completions', chatBody);
      seen.push(status);
      if (status === 402) break;
      await recordFor(5 + i); // settled before the next one is admitted
    }
    expect(seen).toEqual([200, 402]);
  });
});
