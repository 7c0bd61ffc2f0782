import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * The MCP tools, through the real gateway to a fake upstream, send `temperature` and `max_tokens`
 * only when the caller gave them; an alias's configured `params` fill them in otherwise.
 */
let up: FakeUpstream;
let gw: Gateway;
let client: Client;

beforeAll(async () => {
  up = await startFakeUpstream('openai', { kind: 'ok', text: 'fine' });
  gw = await startTestGateway(
    makeConfig([{ name: 'p', type: 'openai_compatible', apiBase: up.apiBase }], {
      reasoning: [{ provider: 'p', model: 'o-mini' }],
      tuned: [{ provider: 'p', model: 'chat-x', params: { temperature: 0.2, max_tokens: 300 } }],
    }),
  );
  client = new Client({ name: 'sampling-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
});
afterAll(async () => {
  await client?.close();
  await gw?.stop(100);
  await up?.close();
});

const upstreamBody = (model: string) => up.requests.filter((r) => r.body?.model === model).at(-1)!.body;

describe('MCP complete and consensus pass only what they were given', () => {
  it('complete without sampling values sends none', async () => {
    const r = await client.callTool({ name: 'complete', arguments: { prompt: 'hi', model: 'reasoning' } });
    expect(r.isError).toBeFalsy();
    const body = upstreamBody('o-mini');
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('an alias default is what reaches the upstream when the caller gives none; the caller’s value wins', async () => {
    await client.callTool({ name: 'complete', arguments: { prompt: 'hi', model: 'tuned' } });
    expect(upstreamBody('chat-x')).toMatchObject({ temperature: 0.2, max_tokens: 300 });
    await client.callTool({ name: 'complete', arguments: { prompt: 'hi', model: 'tuned', temperature: 1 } });
    expect(upstreamBody('chat-x')).toMatchObject({ temperature: 1, max_tokens: 300 });
  });

  it('consensus without sampling values sends none to either model', async () => {
    const r = await client.callTool({
      name: 'consensus',
      arguments: { prompt: 'q', models: ['reasoning', 'tuned'], cross_feedback: false },
    });
    expect(r.isError).toBeFalsy();
    expect(upstreamBody('o-mini')).not.toHaveProperty('temperature');
    expect(upstreamBody('o-mini')).not.toHaveProperty('max_tokens');
    expect(upstreamBody('chat-x')).toMatchObject({ temperature: 0.2, max_tokens: 300 });
  });
});
