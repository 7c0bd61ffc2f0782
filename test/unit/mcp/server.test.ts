import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, test } from 'vitest';
import { DaemonDownError, GatewayCallError } from '../../../src/mcp/errors.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import { jsonSchemaErrors, mcpErrors } from '../../helpers/mcp-schema.js';
import { chatReply, fakeGateway, type FakeHandler } from './fake-gateway.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (open.length) await open.pop()!();
});

async function connect(handler: FakeHandler) {
  const gateway = fakeGateway(handler);
  const server = createMcpServer({ gateway });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0.0.0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  open.push(() => client.close());
  return { client, gateway };
}

const text = (r: any): string => r.content.map((c: any) => c.text).join('');

describe('tools/list', () => {
  test('lists the three tools with input and output schemas valid against the MCP schema', async () => {
    const { client } = await connect(() => chatReply('x', 'p/m'));
    const raw = await client.listTools();
    expect(mcpErrors('ListToolsResult', raw)).toEqual([]);
    const byName = Object.fromEntries(raw.tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['complete', 'consensus', 'list_models']);
    const complete = byName.complete.inputSchema as any;
    expect(complete.required).toEqual(['prompt']);
    expect(complete.properties.model.default).toBe('default');
    // No forced sampling values: absent unless the caller gives them (reasoning models reject them).
    expect(complete.properties.max_tokens.default).toBeUndefined();
    expect(complete.properties.temperature).toMatchObject({ minimum: 0, maximum: 2 });
    expect(complete.properties.temperature.default).toBeUndefined();
    const consensus = byName.consensus.inputSchema as any;
    expect(consensus.properties.models).toMatchObject({ type: 'array', minItems: 2, maxItems: 8 });
    expect(consensus.properties.cross_feedback.default).toBe(true);
    expect(consensus.properties.temperature.default).toBeUndefined();
    expect(consensus.properties.max_tokens.default).toBeUndefined();
    for (const t of raw.tools) expect(t.outputSchema?.type).toBe('object');
    expect((byName.list_models.inputSchema as any).properties ?? {}).toEqual({});
  });
});

describe('complete', () => {
  test('sends a chat request without temperature or max_tokens unless given; returns the text plus {model, content, usage}', async () => {
    const { client, gateway } = await connect(() => chatReply('Paris.', 'openai/gpt-4o', 0.00042));
    const r = await client.callTool({
      name: 'complete',
      arguments: { prompt: 'Capital of France?', system: 'Be brief.' },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBeFalsy();
    expect(text(r)).toBe('Paris.');
    expect(r.structuredContent).toEqual({
      model: 'openai/gpt-4o',
      content: 'Paris.',
      usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15, cost_usd: 0.00042 },
    });
    expect(gateway.calls).toEqual([
      {
        method: 'POST',
        path: '/v1/chat/completions',
        body: {
          model: 'default',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Capital of France?' },
          ],
          stream: false,
        },
      },
    ]);
    const tools = await client.listTools();
    const schema = tools.tools.find((t) => t.name === 'complete')!.outputSchema!;
    expect(jsonSchemaErrors(schema, r.structuredContent)).toEqual([]);
  });

  test('temperature and max_tokens the caller gives are sent as given', async () => {
    const { client, gateway } = await connect(() => chatReply('ok', 'p/m'));
    const r = await client.callTool({
      name: 'complete',
      arguments: { prompt: 'q', temperature: 0, max_tokens: 77 },
    });
    expect(r.isError).toBeFalsy();
    expect(gateway.calls[0].body).toMatchObject({ temperature: 0, max_tokens: 77 });
  });

  test('bad input is a tool error naming the problem, and the gateway is not called', async () => {
    const { client, gateway } = await connect(() => chatReply('x', 'p/m'));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: '' }, /prompt must not be empty/],
      [{ prompt: '   ' }, /prompt must not be empty/],
      [{ prompt: 7 }, /expected string/],
      [{}, /prompt/],
      [{ prompt: 'x', temperature: 3 }, /temperature/],
      [{ prompt: 'x', max_tokens: 1.5 }, /max_tokens/],
    ];
    for (const [args, re] of cases) {
      const r = await client.callTool({ name: 'complete', arguments: args });
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(/Input validation error/);
      expect(text(r)).toMatch(re);
    }
    expect(gateway.calls).toEqual([]);
  });

  test('a gateway error comes back as a readable tool error', async () => {
    const { client } = await connect(() => {
      throw new GatewayCallError(
        404,
        'model_not_found',
        'gateway error 404 model_not_found (not found): model "nope" not found',
      );
    });
    const r = await client.callTool({ name: 'complete', arguments: { prompt: 'hi', model: 'nope' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('model "nope" not found');
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
  });

  test('daemon down: isError with the exact start command', async () => {
    const { client } = await connect(() => {
      throw new DaemonDownError();
    });
    const r = await client.callTool({ name: 'complete', arguments: { prompt: 'hi' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('Start it with: agentbox litellm start');
  });
});

describe('unknown tool', () => {
  test('is reported as an error result, not a crash', async () => {
    const { client } = await connect(() => chatReply('x', 'p/m'));
    const r = await client.callTool({ name: 'nope', arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Tool nope not found/);
    // the server still answers afterwards
    expect((await client.listTools()).tools).toHaveLength(3);
  });
});

describe('list_models', () => {
  test('groups /model/info rows by alias with provider and model only', async () => {
    const { client } = await connect((c) => {
      expect(c).toEqual({ method: 'GET', path: '/model/info' });
      return {
        body: {
          data: [
            {
              model_name: 'default',
              litellm_params: { model: 'openai/gpt-4o' },
              model_info: { provider: 'openai', model: 'gpt-4o', key: 'set' },
            },
            {
              model_name: 'default',
              litellm_params: { model: 'gwdg/llama' },
              model_info: { provider: 'gwdg', model: 'llama', key: 'missing' },
            },
            {
              model_name: 'code',
              litellm_params: { model: 'anthropic/claude-sonnet-4-5' },
              model_info: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
            },
          ],
        },
      };
    });
    const r = await client.callTool({ name: 'list_models', arguments: {} });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.structuredContent).toEqual({
      models: [
        {
          name: 'default',
          deployments: [
            { provider: 'openai', model: 'gpt-4o' },
            { provider: 'gwdg', model: 'llama' },
          ],
        },
        { name: 'code', deployments: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
      ],
    });
    expect(text(r)).toBe('default: openai/gpt-4o -> gwdg/llama\ncode: anthropic/claude-sonnet-4-5');
    expect(JSON.stringify(r)).not.toMatch(/"key"/);
  });
});
