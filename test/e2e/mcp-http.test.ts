import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jsonSchemaErrors, mcpErrors } from '../helpers/mcp-schema.js';
import { makeMcpWorld, type McpWorld } from '../helpers/mcp-harness.js';

/** The MCP tools through the daemon's own `POST /mcp` (Streamable HTTP, stateless), master key on. */
const KEY = 'mk-test-master-key-1';
let world: McpWorld;
let url: string;
let client: Client;

const text = (r: any): string => r.content.map((c: any) => c.text).join('');

async function connect(headers: Record<string, string>): Promise<Client> {
  const c = new Client({ name: 'http-test', version: '0.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
  return c;
}

beforeAll(async () => {
  world = await makeMcpWorld({ masterKey: KEY });
  url = (await world.startGateway()).url;
  client = await connect({ authorization: `Bearer ${KEY}` });
});
afterAll(async () => {
  await client?.close();
  await world?.close();
});

describe('POST /mcp', () => {
  test('tools/list: the three tools, valid against the MCP schema', async () => {
    const r = await client.listTools();
    expect(mcpErrors('ListToolsResult', r)).toEqual([]);
    expect(r.tools.map((t) => t.name).sort()).toEqual(['complete', 'consensus', 'list_models']);
  });

  test('complete: the text from the fake upstream, served by fa/alpha-1', async () => {
    const r = await client.callTool({
      name: 'complete',
      arguments: { prompt: 'Say something', max_tokens: 64 },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBeFalsy();
    expect(text(r)).toBe('alpha answer');
    expect(r.structuredContent).toMatchObject({
      model: 'fa/alpha-1',
      content: 'alpha answer',
      usage: { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
    });
    const sent = world.alpha.requests.at(-1)!;
    expect(sent.body.messages).toEqual([{ role: 'user', content: 'Say something' }]);
    expect(sent.body.max_tokens).toBe(64);
    expect(sent.headers.authorization).toBe('Bearer sk-alpha-secret');
  });

  test('complete through an Anthropic-format upstream', async () => {
    const r = await client.callTool({
      name: 'complete',
      arguments: { prompt: 'hi', model: 'second', system: 'terse' },
    });
    expect(r.structuredContent).toMatchObject({ model: 'fb/beta-1', content: 'beta answer' });
    expect(world.beta.requests.at(-1)!.body.system).toBeDefined();
  });

  test('list_models: aliases and chains, no keys', async () => {
    const r = await client.callTool({ name: 'list_models', arguments: {} });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.structuredContent).toEqual({
      models: [
        { name: 'default', deployments: [{ provider: 'fa', model: 'alpha-1' }] },
        { name: 'second', deployments: [{ provider: 'fb', model: 'beta-1' }] },
        { name: 'broken', deployments: [{ provider: 'fc', model: 'gamma-1' }] },
      ],
    });
    expect(JSON.stringify(r)).not.toMatch(/sk-alpha-secret|sk-beta-secret/);
  });

  test('consensus: a failing model is reported, the others answer and refine', async () => {
    const tools = await client.listTools();
    const schema = tools.tools.find((t) => t.name === 'consensus')!.outputSchema!;
    const r = await client.callTool({
      name: 'consensus',
      arguments: { prompt: 'Best sorting algorithm?', models: ['default', 'second', 'broken'] },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBeFalsy();
    expect(jsonSchemaErrors(schema, r.structuredContent)).toEqual([]);
    const s = r.structuredContent as any;
    expect(s.initial[0]).toMatchObject({
      model: 'default',
      deployment: 'fa/alpha-1',
      content: 'alpha answer',
    });
    expect(s.initial[1]).toMatchObject({ model: 'second', deployment: 'fb/beta-1', content: 'beta answer' });
    // Each answer carries its own usage.
    expect(s.initial[0].usage.total_tokens).toBeGreaterThan(0);
    expect(s.initial[1].usage.total_tokens).toBeGreaterThan(0);
    expect(s.initial[2].model).toBe('broken');
    expect(s.initial[2].error).toMatch(/^gateway error 5\d\d/);
    expect(s.refined.map((a: any) => a.model)).toEqual(['default', 'second']);
    expect(s.usage.total_tokens).toBeGreaterThan(0);
    // the feedback round showed alpha the Anthropic model's answer
    expect(JSON.stringify(world.alpha.requests.at(-1)!.body.messages)).toContain('beta answer');
  });

  test('an unknown alias is a readable tool error carrying the gateway message', async () => {
    const r = await client.callTool({
      name: 'complete',
      arguments: { prompt: 'hi', model: 'no-such-alias' },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^gateway error 404/);
    expect(text(r)).toContain('no-such-alias');
  });

  test('master_key: 401 without the key (raw and through the SDK), GET is 405', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const raw = await request(`${url}/mcp`, { method: 'POST', headers, body: JSON.stringify(init) });
    expect(raw.statusCode).toBe(401);
    await raw.body.dump();
    const wrong = await request(`${url}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'x-api-key': 'nope' },
      body: JSON.stringify(init),
    });
    expect(wrong.statusCode).toBe(401);
    await wrong.body.dump();
    const sdkErr = (await connect({}).catch((e) => e)) as { code?: number; message: string };
    expect(sdkErr.code).toBe(401);
    expect(sdkErr.message).toContain('missing API key');
    const ok = await request(`${url}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'x-api-key': KEY },
      body: JSON.stringify(init),
    });
    expect(ok.statusCode).toBe(200);
    const body = (await ok.body.json()) as any;
    expect(body.result.serverInfo.name).toBe('agentbox');
    expect(mcpErrors('InitializeResult', body.result)).toEqual([]);
    const get = await request(`${url}/mcp`, { method: 'GET', headers: { authorization: `Bearer ${KEY}` } });
    expect(get.statusCode).toBe(405);
    await get.body.dump();
  });

  test('a body that is not JSON gets a JSON-RPC parse error', async () => {
    const r = await request(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: '{nope',
    });
    expect(r.statusCode).toBe(400);
    expect(((await r.body.json()) as any).error.code).toBe(-32700);
  });
});
