import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jsonSchemaErrors, mcpErrors } from '../helpers/mcp-schema.js';
import { makeMcpWorld, type McpWorld } from '../helpers/mcp-harness.js';

/**
 * The MCP tools as an analyst agent uses them — images, files, threads, per-tool limits — through
 * both transports: the built `agentbox mcp` on stdio and the daemon's `POST /mcp`, in front of
 * fake OpenAI- and Anthropic-format upstreams.
 */
const BIN = fileURLToPath(new URL('../../bin/agentbox.js', import.meta.url));
const KEY = 'mk-analyst-master-key';
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const text = (r: any): string => r.content.map((c: any) => c.text).join('');

async function stdioClient(world: McpWorld): Promise<Client> {
  const c = new Client({ name: 'analyst-stdio', version: '0.0.0' });
  await c.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      env: world.env,
      stderr: 'ignore',
    }),
  );
  return c;
}

async function httpClient(world: McpWorld): Promise<Client> {
  const c = new Client({ name: 'analyst-http', version: '0.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${world.gw!.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${KEY}` } },
    }),
  );
  return c;
}

describe('complete with images, files and a thread', () => {
  let world: McpWorld;
  let stdio: Client;
  let http: Client;
  let png: string;
  let csv: string;
  beforeAll(async () => {
    world = await makeMcpWorld({ masterKey: KEY });
    await world.startGateway();
    png = join(world.dir, 'chart.png');
    writeFileSync(png, PNG);
    csv = join(world.dir, 'sales.csv');
    writeFileSync(csv, 'month,revenue\njan,100\nfeb,140\n');
    writeFileSync(join(world.dir, 'blob.bin'), Buffer.from([0x00, 0x01, 0x02, 0xff]));
    writeFileSync(join(world.dir, 'notes.txt'), 'not an image');
    [stdio, http] = await Promise.all([stdioClient(world), httpClient(world)]);
  });
  afterAll(async () => {
    await Promise.all([stdio?.close(), http?.close()]);
    await world?.close();
  });

  test('an image from a file reaches an OpenAI-format upstream as image_url (stdio)', async () => {
    const r = await stdio.callTool({
      name: 'complete',
      arguments: { prompt: 'What does the chart show?', images: [png] },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError, text(r)).toBeFalsy();
    const content = world.alpha.requests.at(-1)!.body.messages.at(-1).content;
    expect(content).toEqual([
      { type: 'text', text: 'What does the chart show?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
    ]);
  });

  test('an image from a file reaches an Anthropic-format upstream as an image block (/mcp)', async () => {
    const r = await http.callTool({
      name: 'complete',
      arguments: { prompt: 'Describe it', model: 'second', images: [png, 'https://example.com/c.png'] },
    });
    expect(r.isError, text(r)).toBeFalsy();
    const content = world.beta.requests.at(-1)!.body.messages.at(-1).content;
    expect(content).toContainEqual({ type: 'text', text: 'Describe it' });
    expect(content).toContainEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') },
    });
    expect(content).toContainEqual({
      type: 'image',
      source: { type: 'url', url: 'https://example.com/c.png' },
    });
  });

  test("a CSV file's text reaches the prompt with its name; the result says who answered and what it cost", async () => {
    const r = await stdio.callTool({
      name: 'complete',
      arguments: { prompt: 'Which month grew?', files: [csv] },
    });
    expect(r.isError, text(r)).toBeFalsy();
    const sent = world.alpha.requests.at(-1)!.body.messages.at(-1).content as string;
    expect(sent).toBe(
      `<file name="${csv}">\nmonth,revenue\njan,100\nfeb,140\n\n</file>\n\nWhich month grew?`,
    );
    const tools = await stdio.listTools();
    const schema = tools.tools.find((t) => t.name === 'complete')!.outputSchema!;
    expect(jsonSchemaErrors(schema, r.structuredContent)).toEqual([]);
    expect(r.structuredContent).toMatchObject({
      model: 'fa/alpha-1',
      attempts: 1,
      fallbacks: 0,
      latency_ms: expect.any(Number),
    });
  });

  test('bad attachments are one tool error naming each entry; the upstream is not called', async () => {
    const before = world.alpha.requests.length;
    const r = await http.callTool({
      name: 'complete',
      arguments: {
        prompt: 'x',
        files: [join(world.dir, 'blob.bin'), join(world.dir, 'missing.csv')],
        images: [join(world.dir, 'notes.txt'), 'http://plain.example/a.png', 'data:image/png;base64,AAAA'],
      },
    });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBe(true);
    const t = text(r);
    expect(t).toContain(`files[0] (${join(world.dir, 'blob.bin')}): binary file`);
    expect(t).toContain(`files[1] (${join(world.dir, 'missing.csv')}): no such file`);
    expect(t).toContain(`images[0] (${join(world.dir, 'notes.txt')}): not a PNG, JPEG, GIF or WebP image`);
    expect(t).toContain('images[1]: only https:// image URLs');
    expect(t).toContain('images[2]: data: URL is not');
    expect(world.alpha.requests.length).toBe(before);
  });

  test('a two-turn conversation sends turn one with turn two, across transports; forget drops it', async () => {
    const one = await stdio.callTool({
      name: 'complete',
      arguments: { prompt: 'Remember the number 7.', conversation_id: 'analysis-1' },
    });
    expect(one.isError, text(one)).toBeFalsy();
    expect(one.structuredContent).toMatchObject({ conversation_id: 'analysis-1', turns: 2 });
    const two = await http.callTool({
      name: 'complete',
      arguments: { prompt: 'Which number?', conversation_id: 'analysis-1' },
    });
    expect(two.isError, text(two)).toBeFalsy();
    expect(world.alpha.requests.at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'Remember the number 7.' },
      { role: 'assistant', content: 'alpha answer' },
      { role: 'user', content: 'Which number?' },
    ]);
    expect(two.structuredContent).toMatchObject({ turns: 4 });
    // Another thread id starts empty.
    await stdio.callTool({ name: 'complete', arguments: { prompt: 'Fresh', conversation_id: 'other' } });
    expect(world.alpha.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'Fresh' }]);

    const f = await stdio.callTool({
      name: 'complete',
      arguments: { conversation_id: 'analysis-1', forget: true },
    });
    expect(text(f)).toBe('Forgot thread analysis-1.');
    await http.callTool({ name: 'complete', arguments: { prompt: 'Again?', conversation_id: 'analysis-1' } });
    expect(world.alpha.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'Again?' }]);
  });

  test('consensus takes the same attachments', async () => {
    const r = await http.callTool({
      name: 'consensus',
      arguments: { prompt: 'Summarise', models: ['default', 'second'], files: [csv], cross_feedback: false },
    });
    expect(r.isError, text(r)).toBeFalsy();
    expect(world.alpha.requests.at(-1)!.body.messages[0].content).toContain('jan,100');
    expect(JSON.stringify(world.beta.requests.at(-1)!.body.messages[0].content)).toContain('jan,100');
  });
});

describe('threads expire', () => {
  let world: McpWorld;
  let stdio: Client;
  beforeAll(async () => {
    world = await makeMcpWorld({ masterKey: KEY, extra: ['mcp: { thread_ttl: 3 }'] });
    await world.startGateway();
    stdio = await stdioClient(world);
  });
  afterAll(async () => {
    await stdio?.close();
    await world?.close();
  });

  test('after thread_ttl the next turn starts a new thread', { timeout: 60_000 }, async () => {
    await stdio.callTool({ name: 'complete', arguments: { prompt: 'one', conversation_id: 't' } });
    await stdio.callTool({ name: 'complete', arguments: { prompt: 'two', conversation_id: 't' } });
    expect(world.alpha.requests.at(-1)!.body.messages).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 3_200));
    await stdio.callTool({ name: 'complete', arguments: { prompt: 'three', conversation_id: 't' } });
    expect(world.alpha.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'three' }]);
  });
});

describe('limits per tool', () => {
  let world: McpWorld;
  let stdio: Client;
  let http: Client;
  beforeAll(async () => {
    world = await makeMcpWorld({
      masterKey: KEY,
      extra: ['rate_limits: { tools: { complete: { rpm: 3 }, consensus: { rpm: 1 } } }'],
    });
    await world.startGateway();
    [stdio, http] = await Promise.all([stdioClient(world), httpClient(world)]);
  });
  afterAll(async () => {
    await Promise.all([stdio?.close(), http?.close()]);
    await world?.close();
  });

  test('the 4th call of an rpm-3 tool is a tool error with the wait time, across both transports', async () => {
    for (const c of [stdio, http, stdio]) {
      const r = await c.callTool({ name: 'complete', arguments: { prompt: 'hi' } });
      expect(r.isError, text(r)).toBeFalsy();
    }
    const before = world.alpha.requests.length;
    const r = await http.callTool({ name: 'complete', arguments: { prompt: 'hi' } });
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/the complete tool may send 3 calls per minute; retry in \d+ s/);
    expect(world.alpha.requests.length).toBe(before);
    // consensus has its own budget of calls: one call (two model calls) passes, the second is refused.
    const c1 = await stdio.callTool({
      name: 'consensus',
      arguments: { prompt: 'q', models: ['default', 'second'], cross_feedback: false },
    });
    expect(c1.isError, text(c1)).toBeFalsy();
    const c2 = await stdio.callTool({
      name: 'consensus',
      arguments: { prompt: 'q', models: ['default', 'second'], cross_feedback: false },
    });
    expect(c2.isError).toBe(true);
    expect(text(c2)).toMatch(/the consensus tool may send 1 calls per minute; retry in \d+ s/);
  });
});

describe('limits and threads per key', () => {
  let world: McpWorld;
  let analyst: Client;
  let master: Client;
  const connectAs = async (key: string): Promise<Client> => {
    const c = new Client({ name: 'analyst-key', version: '0.0.0' });
    await c.connect(
      new StreamableHTTPClientTransport(new URL(`${world.gw!.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
    return c;
  };
  beforeAll(async () => {
    world = await makeMcpWorld({
      masterKey: KEY,
      extra: ['keys: { analyst: { key: vk-analyst-1, tools: { complete: { rpm: 1 } } } }'],
    });
    await world.startGateway();
    [analyst, master] = await Promise.all([connectAs('vk-analyst-1'), connectAs(KEY)]);
  });
  afterAll(async () => {
    await Promise.all([analyst?.close(), master?.close()]);
    await world?.close();
  });

  test("keys.<name>.tools limits that key only; a key never sees another key's thread", async () => {
    const a1 = await analyst.callTool({
      name: 'complete',
      arguments: { prompt: 'mine', conversation_id: 'shared-id' },
    });
    expect(a1.isError, text(a1)).toBeFalsy();
    const a2 = await analyst.callTool({ name: 'complete', arguments: { prompt: 'again' } });
    expect(a2.isError).toBe(true);
    expect(text(a2)).toMatch(/the complete tool for this key may send 1 calls per minute; retry in \d+ s/);
    // The master key is not limited by the analyst's tool limit, and its thread "shared-id" is its own.
    const m = await master.callTool({
      name: 'complete',
      arguments: { prompt: 'other', conversation_id: 'shared-id' },
    });
    expect(m.isError, text(m)).toBeFalsy();
    expect(world.alpha.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'other' }]);
  });
});
