import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { createLogger } from '../../src/shared/log.js';
import {
  startFakeUpstream,
  type Behaviour,
  type FakeUpstream,
  type Recorded,
} from '../helpers/fake-upstream.js';
import { makeConfig } from '../helpers/gateway.js';
import { post } from '../helpers/usage.js';

/**
 * Upstreams that echo the key they were sent — whole, and masked with its ends kept — on every
 * error path: 401 and 500 bodies (passed through and translated), the multi-attempt 502, mid-stream
 * error events, count_tokens, embeddings, MCP tool results. No client body, log line or tool
 * result may hold the key or any 8-character run of it.
 */
const OKEY = 'sk-proj-OPENAIsecretKEY0123456789abcdefXYZ';
const AKEY = 'sk-ant-api03-ANTHROPICsecret9876543210zyxw';

const sentKey = (r: Recorded): string =>
  String(r.headers['x-api-key'] ?? String(r.headers.authorization ?? '').replace(/^Bearer /, ''));
/** What a leaky upstream says: the key it got, and a mask that keeps its first 8 and last 10 characters. */
const echo = (r: Recorded): string => {
  const k = sentKey(r);
  return `Incorrect API key provided: ${k} (${k.slice(0, 8)}****${k.slice(-10)})`;
};
const echoStatus = (status: number, format: 'openai' | 'anthropic'): Behaviour => ({
  kind: 'decide',
  decide: (r) => ({
    kind: 'status',
    status,
    body:
      format === 'openai'
        ? { error: { message: echo(r), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
        : { type: 'error', error: { type: 'authentication_error', message: echo(r) } },
  }),
});
const echoMidStream = (format: 'openai' | 'anthropic'): Behaviour => ({
  kind: 'decide',
  decide: (r) => ({
    kind: 'raw',
    chunks:
      format === 'openai'
        ? [
            `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })}\n\n`,
            `data: ${JSON.stringify({ error: { message: echo(r), type: 'server_error' } })}\n\n`,
          ]
        : [
            `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } })}\n\n`,
            `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
            `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })}\n\n`,
            `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: echo(r) } })}\n\n`,
          ],
  }),
});

/** True when `text` holds either key or an 8-character run of one. */
function leaks(text: string): string | undefined {
  for (const k of [OKEY, AKEY])
    for (let i = 0; i + 8 <= k.length; i++) if (text.includes(k.slice(i, i + 8))) return k.slice(i, i + 8);
  return undefined;
}

let oai: FakeUpstream;
let ant: FakeUpstream;
let oai2: FakeUpstream;
let gw: Gateway;
let dir: string;
let logFile: string;

beforeAll(async () => {
  oai = await startFakeUpstream('openai');
  oai2 = await startFakeUpstream('openai');
  ant = await startFakeUpstream('anthropic');
  dir = mkdtempSync(join(tmpdir(), 'agentbox-keys-'));
  logFile = join(dir, 'litellm.log');
  const loaded = makeConfig(
    [
      { name: 'oa', type: 'openai', apiBase: oai.apiBase, apiKey: OKEY },
      { name: 'ob', type: 'openai', apiBase: oai2.apiBase, apiKey: OKEY.replace('OPENAI', 'SECOND') },
      { name: 'an', type: 'anthropic', apiBase: ant.apiBase, apiKey: AKEY },
    ],
    {
      oa: [{ provider: 'oa', model: 'gpt-x' }],
      an: [{ provider: 'an', model: 'claude-x' }],
      both: [
        { provider: 'oa', model: 'gpt-x' },
        { provider: 'an', model: 'claude-x' },
      ],
    },
    { router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 100, cooldownS: 1 } },
  );
  gw = await startGateway(loaded, { log: createLogger({ file: logFile, level: 'info' }), stateDir: null });
});
afterAll(async () => {
  await gw?.stop(1000);
  await Promise.all([oai, oai2, ant].map((u) => u?.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const chat = (model: string, stream = false) => ({
  model,
  stream,
  max_tokens: 16,
  messages: [{ role: 'user', content: 'hi' }],
});

describe('keys never leave', () => {
  const cases: Array<{ name: string; route: string; model: string; stream?: boolean; set(): void }> = [
    {
      name: 'openai 401 passed through to a chat client',
      route: '/v1/chat/completions',
      model: 'oa',
      set: () => oai.setBehaviours(echoStatus(401, 'openai')),
    },
    {
      name: 'openai 500 passed through to a chat client',
      route: '/v1/chat/completions',
      model: 'oa',
      set: () => oai.setBehaviours(echoStatus(500, 'openai')),
    },
    {
      name: 'openai 401 translated for a messages client',
      route: '/v1/messages',
      model: 'oa',
      set: () => oai.setBehaviours(echoStatus(401, 'openai')),
    },
    {
      name: 'openai 500 for a responses client',
      route: '/v1/responses',
      model: 'oa',
      set: () => oai.setBehaviours(echoStatus(500, 'openai')),
    },
    {
      name: 'anthropic 401 passed through to a messages client',
      route: '/v1/messages',
      model: 'an',
      set: () => ant.setBehaviours(echoStatus(401, 'anthropic')),
    },
    {
      name: 'anthropic 500 translated for a chat client',
      route: '/v1/chat/completions',
      model: 'an',
      set: () => ant.setBehaviours(echoStatus(500, 'anthropic')),
    },
    {
      name: 'every attempt failed (502 listing the attempts)',
      route: '/v1/chat/completions',
      model: 'both',
      set: () => {
        oai.setBehaviours(echoStatus(500, 'openai'));
        ant.setBehaviours(echoStatus(500, 'anthropic'));
      },
    },
    {
      name: 'openai mid-stream error event, passed through',
      route: '/v1/chat/completions',
      model: 'oa',
      stream: true,
      set: () => oai.setBehaviours(echoMidStream('openai')),
    },
    {
      name: 'openai mid-stream error event, translated',
      route: '/v1/messages',
      model: 'oa',
      stream: true,
      set: () => oai.setBehaviours(echoMidStream('openai')),
    },
    {
      name: 'anthropic mid-stream error event, passed through',
      route: '/v1/messages',
      model: 'an',
      stream: true,
      set: () => ant.setBehaviours(echoMidStream('anthropic')),
    },
    {
      name: 'anthropic mid-stream error event, translated',
      route: '/v1/chat/completions',
      model: 'an',
      stream: true,
      set: () => ant.setBehaviours(echoMidStream('anthropic')),
    },
    {
      name: 'count_tokens 401',
      route: '/v1/messages/count_tokens',
      model: 'an',
      set: () => ant.setBehaviours(echoStatus(401, 'anthropic')),
    },
    {
      name: 'embeddings 401',
      route: '/v1/embeddings',
      model: 'oa',
      set: () => oai.setBehaviours(echoStatus(401, 'openai')),
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the client body holds no part of the key`, async () => {
      c.set();
      const before = oai.requests.length + ant.requests.length;
      const body =
        c.route === '/v1/embeddings'
          ? { model: c.model, input: 'hi' }
          : c.route === '/v1/responses'
            ? { model: c.model, input: 'hi', stream: c.stream === true }
            : chat(c.model, c.stream);
      const r = await post(`${gw.url}${c.route}`, body);
      expect(oai.requests.length + ant.requests.length).toBeGreaterThan(before); // the upstream was asked
      if (c.stream) expect(r.text).toMatch(/error/);
      else expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.text).toMatch(/Incorrect API key provided|\[redacted\]/);
      expect(leaks(r.text)).toBeUndefined();
    });
  }

  it('MCP complete: the tool result holds no part of the key', async () => {
    oai.setBehaviours(echoStatus(500, 'openai'));
    const client = new Client({ name: 'keys-test', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
    try {
      const r: any = await client.callTool({ name: 'complete', arguments: { prompt: 'hi', model: 'oa' } });
      expect(r.isError).toBe(true);
      const text = JSON.stringify(r);
      expect(text).toMatch(/Incorrect API key provided/);
      expect(leaks(text)).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('the log file holds no part of any key, though every case above was logged', async () => {
    gw.log.flush();
    await new Promise((r) => setTimeout(r, 300));
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/Incorrect API key provided/);
    expect(log.split('\n').filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThan(10);
    expect(leaks(log)).toBeUndefined();
  });
});
