import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, test } from 'vitest';
import { DaemonDownError, GatewayCallError } from '../../../src/mcp/errors.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import { feedbackPrompt } from '../../../src/mcp/tools/consensus-run.js';
import { jsonSchemaErrors, mcpErrors } from '../../helpers/mcp-schema.js';
import { chatReply, fakeGateway, type FakeCall, type FakeHandler } from './fake-gateway.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (open.length) await open.pop()!();
});

async function connect(handler: FakeHandler) {
  const gateway = fakeGateway(handler);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0.0.0' });
  await Promise.all([createMcpServer({ gateway }).connect(a), client.connect(b)]);
  open.push(() => client.close());
  const outputSchema = (await client.listTools()).tools.find((t) => t.name === 'consensus')!.outputSchema!;
  return { client, gateway, outputSchema };
}

const text = (r: any): string => r.content.map((c: any) => c.text).join('');
const round = (c: FakeCall): number => c.body.messages.length; // 1 = first round, 3 = feedback round

/** Each model answers "<model> says N" (N = round); `bad` fails with a 502. */
const perModel: FakeHandler = (c) => {
  const model = c.body.model as string;
  if (model === 'bad')
    throw new GatewayCallError(
      502,
      'api_error',
      'gateway error 502 api_error (every deployment failed): all 2 attempts failed',
    );
  return chatReply(`${model} says ${round(c) === 1 ? 1 : 2}`, `prov/${model}-v1`, 0.001, {
    in: 100,
    out: 10,
  });
};

describe('consensus', () => {
  test('two rounds: every model answers, then refines after seeing the others (anonymised)', async () => {
    const { client, gateway, outputSchema } = await connect(perModel);
    const r = await client.callTool({
      name: 'consensus',
      arguments: { prompt: 'What is 2+2?', models: ['a', 'b', 'c'] },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBeFalsy();
    expect(jsonSchemaErrors(outputSchema, r.structuredContent)).toEqual([]);
    const s = r.structuredContent as any;
    expect(s.initial).toEqual([
      { model: 'a', deployment: 'prov/a-v1', content: 'a says 1' },
      { model: 'b', deployment: 'prov/b-v1', content: 'b says 1' },
      { model: 'c', deployment: 'prov/c-v1', content: 'c says 1' },
    ]);
    expect(s.refined.map((x: any) => x.content)).toEqual(['a says 2', 'b says 2', 'c says 2']);
    expect(s.usage).toEqual({ input_tokens: 600, output_tokens: 60, total_tokens: 660, cost_usd: 0.006 });

    const second = gateway.calls.filter((c) => round(c) === 3);
    expect(second).toHaveLength(3);
    const forA = second.find((c) => c.body.model === 'a')!;
    // Nothing forced: no temperature or max_tokens unless the caller gave them.
    for (const c of gateway.calls) {
      expect(c.body).not.toHaveProperty('temperature');
      expect(c.body).not.toHaveProperty('max_tokens');
    }
    expect(forA.body.messages[0]).toEqual({ role: 'user', content: 'What is 2+2?' });
    expect(forA.body.messages[1]).toEqual({ role: 'assistant', content: 'a says 1' });
    expect(forA.body.messages[2].content).toBe(feedbackPrompt(['b says 1', 'c says 1']));
    expect(forA.body.messages[2].content).not.toContain('prov/');
    expect(text(r)).toContain('## b (prov/b-v1)');
  });

  test('one model failing is reported with its error and does not fail the call', async () => {
    const { client, outputSchema } = await connect(perModel);
    const r = await client.callTool({
      name: 'consensus',
      arguments: { prompt: 'q', models: ['a', 'bad', 'b'] },
    });
    expect(r.isError).toBeFalsy();
    expect(jsonSchemaErrors(outputSchema, r.structuredContent)).toEqual([]);
    const s = r.structuredContent as any;
    expect(s.initial[1]).toEqual({ model: 'bad', error: expect.stringContaining('every deployment failed') });
    expect(s.refined.map((x: any) => x.model)).toEqual(['a', 'b']);
    expect(s.usage.input_tokens).toBe(400);
    expect(text(r)).toContain('## bad (failed)');
  });

  test('without cross_feedback there is one round and refined is null; no cost header → no cost_usd', async () => {
    const { client, gateway } = await connect((c) => chatReply(`${c.body.model}!`, `p/${c.body.model}`));
    const r = await client.callTool({
      name: 'consensus',
      arguments: { prompt: 'q', models: ['a', 'b'], cross_feedback: false, temperature: 1.1, max_tokens: 50 },
    });
    const s = r.structuredContent as any;
    expect(s.refined).toBeNull();
    expect(s.usage).toEqual({ input_tokens: 20, output_tokens: 10, total_tokens: 30 });
    expect(gateway.calls).toHaveLength(2);
    expect(gateway.calls[0].body).toMatchObject({ temperature: 1.1, max_tokens: 50 });
  });

  test('only one answer in round one: no feedback round', async () => {
    const { client, gateway } = await connect(perModel);
    const r = await client.callTool({ name: 'consensus', arguments: { prompt: 'q', models: ['a', 'bad'] } });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as any).refined).toBeNull();
    expect(gateway.calls).toHaveLength(2);
  });

  test('every model failing is an error result listing each failure', async () => {
    const { client } = await connect(() => {
      throw new GatewayCallError(
        404,
        'model_not_found',
        'gateway error 404 model_not_found (not found): unknown model',
      );
    });
    const r = await client.callTool({ name: 'consensus', arguments: { prompt: 'q', models: ['x', 'y'] } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Every model failed/);
    expect(text(r)).toContain('## x (failed)');
    expect(text(r)).toContain('## y (failed)');
  });

  test('daemon down fails the whole call with the start command', async () => {
    const { client } = await connect(() => {
      throw new DaemonDownError('http://127.0.0.1:4000');
    });
    const r = await client.callTool({ name: 'consensus', arguments: { prompt: 'q', models: ['a', 'b'] } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('agentbox litellm start');
    expect(r.structuredContent).toBeUndefined();
  });

  test('bad input: 1 model, 9 models, duplicates, empty prompt, wrong types', async () => {
    const { client, gateway } = await connect(perModel);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ prompt: 'q', models: ['a'] }, /at least 2 models/],
      [{ prompt: 'q', models: ['1', '2', '3', '4', '5', '6', '7', '8', '9'] }, /at most 8 models/],
      [{ prompt: 'q', models: ['a', 'b', 'a'] }, /models must be distinct: "a"/],
      [{ prompt: '', models: ['a', 'b'] }, /prompt must not be empty/],
      [{ prompt: 'q', models: 'a,b' }, /expected array/],
      [{ prompt: 'q', models: ['a', 'b'], cross_feedback: 'yes' }, /expected boolean/],
    ];
    for (const [args, re] of cases) {
      const r = await client.callTool({ name: 'consensus', arguments: args });
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(re);
    }
    expect(gateway.calls).toEqual([]);
  });
});
