import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jsonSchemaErrors, mcpErrors } from '../helpers/mcp-schema.js';
import { makeMcpWorld, type McpWorld } from '../helpers/mcp-harness.js';

/**
 * The built `bin/agentbox.js mcp` driven by the MCP SDK's own stdio client, against a gateway
 * started in-process (found through the state file; master key read from the config it names).
 */
const BIN = fileURLToPath(new URL('../../bin/agentbox.js', import.meta.url));
const KEY = 'mk-stdio-master-key';

const text = (r: any): string => r.content.map((c: any) => c.text).join('');

async function connectShim(env: Record<string, string>, args: string[] = []): Promise<Client> {
  const client = new Client({ name: 'stdio-test', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', ...args],
      env,
      stderr: 'ignore',
    }),
  );
  return client;
}

describe('agentbox mcp on stdio, gateway running', () => {
  let world: McpWorld;
  let client: Client;
  beforeAll(async () => {
    world = await makeMcpWorld({ masterKey: KEY });
    await world.startGateway();
    client = await connectShim(world.env);
  });
  afterAll(async () => {
    await client?.close();
    await world?.close();
  });

  test('initialize and tools/list: the three tools, valid against the MCP schema', async () => {
    expect(client.getServerVersion()?.name).toBe('agentbox');
    const r = await client.listTools();
    expect(mcpErrors('ListToolsResult', r)).toEqual([]);
    expect(r.tools.map((t) => t.name).sort()).toEqual(['complete', 'consensus', 'list_models']);
  });

  test('complete: served by the fake upstream, sent with the master key', async () => {
    const r = await client.callTool({ name: 'complete', arguments: { prompt: 'hello', temperature: 0.2 } });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBeFalsy();
    expect(text(r)).toBe('alpha answer');
    expect(r.structuredContent).toMatchObject({
      model: 'fa/alpha-1',
      content: 'alpha answer',
      usage: { total_tokens: 18 },
    });
    expect(world.alpha.requests.at(-1)!.body.temperature).toBe(0.2);
  });

  test('list_models', async () => {
    const r = await client.callTool({ name: 'list_models', arguments: {} });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect((r.structuredContent as any).models.map((m: any) => m.name)).toEqual([
      'default',
      'second',
      'broken',
    ]);
    expect(text(r)).toContain('second: fb/beta-1');
  });

  test('consensus with one model whose upstream answers 500', async () => {
    const schema = (await client.listTools()).tools.find((t) => t.name === 'consensus')!.outputSchema!;
    const r = await client.callTool({
      name: 'consensus',
      arguments: { prompt: 'Pick one', models: ['broken', 'default', 'second'] },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBeFalsy();
    expect(jsonSchemaErrors(schema, r.structuredContent)).toEqual([]);
    const s = r.structuredContent as any;
    expect(s.initial[0]).toEqual({ model: 'broken', error: expect.stringMatching(/^gateway error 5\d\d/) });
    expect(s.initial.slice(1).map((a: any) => a.content)).toEqual(['alpha answer', 'beta answer']);
    expect(s.refined.map((a: any) => a.model)).toEqual(['default', 'second']);
  });

  test('bad input never crashes the server', async () => {
    const calls: Array<[string, Record<string, unknown>, RegExp]> = [
      ['nope', {}, /Tool nope not found/],
      ['complete', { prompt: 42 }, /Input validation error/],
      ['complete', { prompt: '' }, /prompt must not be empty/],
      ['complete', { prompt: 'hi', model: 'unknown-alias' }, /^gateway error 404.*unknown-alias/s],
      [
        'consensus',
        { prompt: 'hi', models: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] },
        /at most 8 models/,
      ],
    ];
    for (const [name, args, re] of calls) {
      const r = await client.callTool({ name, arguments: args });
      expect(mcpErrors('CallToolResult', r)).toEqual([]);
      expect(r.isError, name).toBe(true);
      expect(text(r)).toMatch(re);
    }
    const ok = await client.callTool({ name: 'complete', arguments: { prompt: 'still there?' } });
    expect(text(ok)).toBe('alpha answer');
  });

  test('stdout carries only JSON-RPC lines', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp'], {
      env: { ...world.env, LITELLM_LOG_LEVEL: 'debug' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const lines = [
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'complete', arguments: { prompt: 'x' } },
      },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_models', arguments: {} } },
    ];
    child.stdin.end(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0); // stdin closed: answers what is in flight, then exits
    const msgs = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(msgs.map((m) => m.id).sort()).toEqual([0, 1, 2]);
    for (const m of msgs) expect(m.jsonrpc).toBe('2.0');
    expect(msgs.find((m) => m.id === 1).result.structuredContent.content).toBe('alpha answer');
    expect(err).toContain('agentbox mcp ready on stdio');
    expect(err + out).not.toContain(KEY);
  });
});

describe('agentbox mcp on stdio, gateway not running', () => {
  let world: McpWorld;
  beforeAll(async () => {
    world = await makeMcpWorld();
  });
  afterAll(async () => world?.close());

  test('a call is isError with the exact start command', async () => {
    const client = await connectShim(world.env);
    try {
      for (const [name, args] of [
        ['complete', { prompt: 'hi' }],
        ['list_models', {}],
        ['consensus', { prompt: 'hi', models: ['default', 'second'] }],
      ] as const) {
        const r = await client.callTool({ name, arguments: args });
        expect(mcpErrors('CallToolResult', r)).toEqual([]);
        expect(r.isError, name).toBe(true);
        expect(text(r)).toContain(
          'The agentbox gateway is not running. Start it with: agentbox litellm start',
        );
      }
    } finally {
      await client.close();
    }
  });
});
