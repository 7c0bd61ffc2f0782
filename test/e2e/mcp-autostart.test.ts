import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, expect, test } from 'vitest';
import { stateFile } from '../../src/shared/paths.js';
import { pidAlive, readState } from '../../src/shared/state-file.js';
import { makeMcpWorld, type McpWorld } from '../helpers/mcp-harness.js';

/** `agentbox mcp --autostart`: a real detached `agentbox litellm start`, stopped by pid afterwards. */
const BIN = fileURLToPath(new URL('../../bin/agentbox.js', import.meta.url));
const text = (r: any): string => r.content.map((c: any) => c.text).join('');

let world: McpWorld | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  if (world) {
    const state = await readState(stateFile(world.env));
    if (state && pidAlive(state.pid)) {
      process.kill(state.pid, 'SIGTERM');
      for (let i = 0; i < 100 && pidAlive(state.pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (pidAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
    }
    await world.close();
    world = undefined;
  }
});

async function shim(env: Record<string, string>): Promise<Client> {
  const c = new Client({ name: 'autostart-test', version: '0.0.0' });
  await c.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--autostart'],
      env,
      stderr: 'ignore',
    }),
  );
  return c;
}

test('--autostart starts the daemon (detached, on the config port) and the call goes through', async () => {
  world = await makeMcpWorld({ masterKey: 'mk-autostart' });
  expect(await readState(stateFile(world.env))).toBeUndefined();
  client = await shim(world.env);
  const r = await client.callTool({ name: 'complete', arguments: { prompt: 'wake up' } });
  expect(r.isError, text(r)).toBeFalsy();
  expect(text(r)).toBe('alpha answer');
  expect(r.structuredContent).toMatchObject({ model: 'fa/alpha-1' });

  const state = await readState(stateFile(world.env));
  expect(state).toBeDefined();
  expect(state!.port).toBe(world.configPort);
  expect(state!.pid).not.toBe(process.pid);
  expect(pidAlive(state!.pid)).toBe(true);
  // the daemon outlives the shim that started it
  await client.close();
  client = undefined;
  expect(pidAlive(state!.pid)).toBe(true);
});

test('--autostart with an invalid config: a tool error with the reason and the start command', async () => {
  world = await makeMcpWorld();
  writeFileSync(
    world.configPath,
    'litellm:\n  models:\n    default:\n      - { provider: nowhere, model: x }\n',
  );
  client = await shim(world.env);
  const r = await client.callTool({ name: 'list_models', arguments: {} });
  expect(r.isError).toBe(true);
  expect(text(r)).toContain('Start it with: agentbox litellm start');
  expect(text(r)).toContain('--autostart could not start it');
  expect(text(r)).toMatch(/nowhere/);
});
