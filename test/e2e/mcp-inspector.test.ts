import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clientBin } from '../helpers/clients.js';
import { mcpErrors } from '../helpers/mcp-schema.js';
import { makeMcpWorld, type McpWorld } from '../helpers/mcp-harness.js';

/**
 * `mcp-inspector-cli --cli node bin/agentbox.js mcp --method …` (@modelcontextprotocol/inspector-cli,
 * installed on demand into test/e2e/clients): a client that
 * knows nothing of agentbox. The inspector exits 0 even for error results, so the JSON is checked.
 * It runs from test/: inspector-cli 1.0.3 finds its own package.json only when the working
 * directory's parent has one.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CWD = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
// Installs the pinned clients on first use (at collection, outside any test timeout).
const INSPECTOR = clientBin('mcp-inspector-cli');

let world: McpWorld;
beforeAll(async () => {
  world = await makeMcpWorld();
});
afterAll(async () => world?.close());

async function inspector(...args: string[]): Promise<any> {
  const { stdout } = await run(INSPECTOR, ['--cli', 'node', `${ROOT}bin/agentbox.js`, 'mcp', ...args], {
    cwd: CWD,
    env: { ...world.env, npm_config_update_notifier: 'false' },
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

// Each inspector run starts a fresh npx-free node process and the shim; three of them under load need time.
describe('inspector-cli', { timeout: 120_000 }, () => {
  test('--method tools/list: three tools, a valid ListToolsResult', async () => {
    const r = await inspector('--method', 'tools/list');
    expect(mcpErrors('ListToolsResult', r)).toEqual([]);
    expect(r.tools.map((t: any) => t.name).sort()).toEqual(['complete', 'consensus', 'list_models']);
    const consensus = r.tools.find((t: any) => t.name === 'consensus');
    expect(consensus.inputSchema.required).toEqual(['prompt', 'models']);
    expect(consensus.outputSchema.required).toEqual(expect.arrayContaining(['initial', 'refined', 'usage']));
  });

  test('--method tools/call with no daemon: isError with the start command (exit code 0 regardless)', async () => {
    const r = await inspector('--method', 'tools/call', '--tool-name', 'list_models');
    expect(mcpErrors('CallToolResult', r)).toEqual([]);
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toContain('agentbox litellm start');
  });

  test('--method tools/call against a running gateway: complete and list_models', async () => {
    await world.startGateway();
    const c = await inspector(
      '--method',
      'tools/call',
      '--tool-name',
      'complete',
      '--tool-arg',
      'prompt=hello there',
      '--tool-arg',
      'max_tokens=100',
    );
    expect(mcpErrors('CallToolResult', c)).toEqual([]);
    expect(c.isError).toBeFalsy();
    expect(c.content).toEqual([{ type: 'text', text: 'alpha answer' }]);
    expect(c.structuredContent.model).toBe('fa/alpha-1');
    expect(world.alpha.requests.at(-1)!.body.max_tokens).toBe(100);

    const m = await inspector('--method', 'tools/call', '--tool-name', 'list_models');
    expect(mcpErrors('CallToolResult', m)).toEqual([]);
    expect(m.structuredContent.models).toHaveLength(3);

    const bad = await inspector('--method', 'tools/call', '--tool-name', 'no_such_tool');
    expect(bad.isError).toBe(true);
    expect(bad.content[0].text).toMatch(/Tool no_such_tool not found/);
  });
});
