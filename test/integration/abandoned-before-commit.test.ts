import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { openaiChatDialect } from '../../src/gateway/dialects/openai-chat.js';
import { countTokensLocally } from '../../src/gateway/usage/count-tokens.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { ledgerRecords } from '../helpers/usage.js';

/**
 * A client that hangs up while the upstream is still working on its prompt (before the first
 * token, or before a JSON answer): the provider bills the prompt anyway, so the request is settled
 * at its counted prompt on the deployment that was asked, marked estimated.
 */
let up: FakeUpstream;
let gw: Gateway;
let dir: string;
const PROMPT = Array.from({ length: 300 }, (_, i) => `token${i} in a long prompt`).join(' ');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-abandon-'));
  up = await startFakeUpstream('openai', { kind: 'stall-headers', ms: 3000 });
  const loaded = makeConfig([{ name: 'o', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-o' }], {
    m: [{ provider: 'o', model: 'gpt-x', inputCostPerToken: 1e-6, outputCostPerToken: 1e-6 }],
  });
  gw = await startTestGateway(loaded, { stateDir: dir });
});
afterAll(async () => {
  await gw?.stop(100);
  await up?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Send the request, wait until the upstream has it, then hang up before any answer. */
async function sendAndHangUp(body: object): Promise<void> {
  const before = up.requests.length;
  const req = httpRequest(new URL('/v1/chat/completions', gw.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
  });
  req.on('error', () => undefined);
  req.end(JSON.stringify(body));
  const deadline = Date.now() + 5000;
  while (up.requests.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  req.destroy();
}

async function records(n: number): Promise<any[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    await gw.state.usage!.ledger!.flush();
    const recs = ledgerRecords(dir);
    if (recs.length >= n || Date.now() > deadline) return recs;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a client that leaves before the first token', () => {
  for (const stream of [true, false]) {
    it(`stream client hangs up before the first token (stream: ${stream}): settled at the counted prompt`, async () => {
      const body = { model: 'm', stream, messages: [{ role: 'user', content: PROMPT }] };
      const counted = countTokensLocally(openaiChatDialect.decodeRequest(body), 'gpt-x');
      const n = ledgerRecords(dir).length;
      await sendAndHangUp(body);
      const recs = await records(n + 1);
      expect(recs).toHaveLength(n + 1);
      const rec = recs.at(-1);
      expect(rec).toMatchObject({
        deployment: 'o/gpt-x',
        estimated: true,
        input_tokens: counted,
        output_tokens: 0,
      });
      expect(rec.usd).toBeCloseTo(counted * 1e-6, 12);
    });
  }
});
