import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { ledgerRecords, post } from '../helpers/usage.js';

/**
 * Past the commit point a passthrough stream parses only the events that may carry usage, the
 * stop reason, the end or an error: content deltas go to the client as the upstream sent them.
 * When such a stream stops without usage, the deltas it passed over still count as output seen.
 * The commit point is the first content event also when the upstream sends the whole answer in
 * one write: the rest of that chunk is tapped like any later one.
 */
let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;
let dir: string;

const chatChunk = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const sse = (event: string, data: object): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const LATER = ' alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-tap-'));
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  gw = await startTestGateway(
    makeConfig(
      [
        { name: 'o', type: 'openai', apiBase: oa.apiBase, apiKey: 'sk-o' },
        { name: 'a', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-a' },
      ],
      { m: [{ provider: 'o', model: 'gpt-x' }], c: [{ provider: 'a', model: 'claude-x' }] },
    ),
    { stateDir: dir },
  );
});
afterAll(async () => {
  await gw?.stop(100);
  await Promise.all([oa?.close(), an?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function record(id: string): Promise<any> {
  const deadline = Date.now() + 5000;
  for (;;) {
    await gw.state.usage!.ledger!.flush();
    const rec = ledgerRecords(dir).find((r) => r.id === id);
    if (rec || Date.now() > deadline) return rec;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('passthrough streams tap usage without parsing content', () => {
  const oddStream = (): { odd: string; chunks: string[] } => {
    // A delta no parser would accept: passed over, it reaches the client as sent.
    const odd = 'data: {"choices":[{"delta":{"content":"x"}},   not json at all\n\n';
    const chunks = [
      chatChunk({ role: 'assistant', content: 'first' }),
      odd,
      chatChunk({}, 'stop'),
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n`,
      'data: [DONE]\n\n',
    ];
    return { odd, chunks };
  };

  for (const oneWrite of [false, true]) {
    it(`Chat: content after the first ${oneWrite ? 'delta of a stream sent in one write' : 'chunk'} reaches the client unparsed, byte for byte`, async () => {
      const { odd, chunks } = oddStream();
      oa.setBehaviours({
        kind: 'raw',
        headers: { 'content-type': 'text/event-stream' },
        chunks: oneWrite ? [chunks.join('')] : chunks,
      });
      const r = await post(`${gw.url}/v1/chat/completions`, {
        model: 'm',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(r.status).toBe(200);
      expect(r.text).toContain(odd);
      expect(r.text).toContain('data: [DONE]');
      const rec = await record(r.headers['x-request-id'] as string);
      expect(rec).toMatchObject({ input_tokens: 5, output_tokens: 2 });
      expect(rec.estimated).toBeUndefined();
    });
  }

  it('Chat: a stream that never reports usage counts the deltas it passed over', async () => {
    const chunks = [
      chatChunk({ role: 'assistant', content: 'first' }),
      ...LATER.split(' ').map((w) => chatChunk({ content: ` ${w}` })),
      chatChunk({}, 'stop'),
      'data: [DONE]\n\n',
    ];
    oa.setBehaviours({ kind: 'raw', headers: { 'content-type': 'text/event-stream' }, chunks });
    const r = await post(`${gw.url}/v1/chat/completions`, {
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.status).toBe(200);
    const rec = await record(r.headers['x-request-id'] as string);
    expect(rec.estimated).toBe(true);
    expect(rec.output_tokens).toBeGreaterThanOrEqual(countTokens(`first${LATER}`) - 2);
  });

  for (const oneWrite of [false, true]) {
    it(`Messages: a stream cut after its deltas${oneWrite ? ', sent in one write,' : ''} counts them as output`, async () => {
      const chunks = [
        sse('message_start', {
          type: 'message_start',
          message: {
            id: 'm',
            type: 'message',
            role: 'assistant',
            model: 'claude-x',
            content: [],
            usage: { input_tokens: 9, output_tokens: 1 },
          },
        }),
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: 'first' },
        }),
        ...LATER.split(' ').map((w) =>
          sse('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: ` ${w}` },
          }),
        ),
      ];
      an.setBehaviours({
        kind: 'raw',
        headers: { 'content-type': 'text/event-stream' },
        chunks: oneWrite ? [chunks.join('')] : chunks,
        cut: true,
      });
      const r = await post(`${gw.url}/v1/messages`, {
        model: 'c',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(r.text).toContain('event: error');
      const rec = await record(r.headers['x-request-id'] as string);
      expect(rec.estimated).toBe(true);
      expect(rec.output_tokens).toBeGreaterThanOrEqual(countTokens(`first${LATER}`) - 2);
    });
  }
});
