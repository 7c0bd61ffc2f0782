import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { connectHost, createLocator, type ConfigView } from '../../../src/mcp/locate.js';
import { pidAlive } from '../../../src/shared/state-file.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-locate-'));
  env = { HOME: dir, AGENTBOX_STATE_DIR: join(dir, 'state') };
  mkdirSync(join(dir, 'state'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeState = (v: unknown): void => writeFileSync(join(dir, 'state', 'litellm.json'), JSON.stringify(v));

/** A pid that existed and has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('createLocator', () => {
  test('a live state file gives its url and the master key of the config it was started with', async () => {
    writeState({
      pid: process.pid,
      port: 4111,
      url: 'http://127.0.0.1:4111/',
      started_at: 'x',
      config_path: '/c.yml',
      version: '0.1.0',
    });
    const asked: Array<string | undefined> = [];
    const locate = createLocator({
      env,
      alive: pidAlive,
      readConfig: async (path) => {
        asked.push(path);
        return { host: '127.0.0.1', port: 4000, masterKey: 'mk-1' };
      },
      probe: async () => {
        throw new Error('no probe when the state file is live');
      },
    });
    expect(await locate()).toEqual({ url: 'http://127.0.0.1:4111', key: 'mk-1' });
    expect(asked).toEqual(['/c.yml']);
  });

  test('AGENTBOX_API_KEY wins over the master key', async () => {
    writeState({ pid: process.pid, port: 4111, url: 'http://127.0.0.1:4111', config_path: '/c.yml' });
    const locate = createLocator({
      env: { ...env, AGENTBOX_API_KEY: 'vk-agent' },
      alive: pidAlive,
      readConfig: async () => ({ host: '127.0.0.1', port: 4000, masterKey: 'mk-1' }),
    });
    expect(await locate()).toEqual({ url: 'http://127.0.0.1:4111', key: 'vk-agent' });
  });

  test('a stale state file (dead pid) falls back to the config address, if something answers there', async () => {
    writeState({ pid: deadPid(), port: 4111, url: 'http://127.0.0.1:4111', config_path: '/c.yml' });
    const probed: string[] = [];
    let answers = false;
    const cfg: ConfigView = { host: '0.0.0.0', port: 4555, masterKey: 'mk-2' };
    const locate = createLocator({
      env,
      readConfig: async (path) => (path === undefined ? cfg : null),
      probe: async (url) => {
        probed.push(url);
        return answers;
      },
    });
    expect(await locate()).toBeNull();
    answers = true;
    expect(await locate()).toEqual({ url: 'http://127.0.0.1:4555', key: 'mk-2' });
    expect(probed).toEqual(['http://127.0.0.1:4555', 'http://127.0.0.1:4555']);
  });

  test('by default a live pid that is not a gateway does not count (pid reuse after a reboot)', async () => {
    writeState({ pid: process.pid, port: 4111, url: 'http://127.0.0.1:4111', config_path: '/c.yml' });
    const locate = createLocator({
      env,
      readConfig: async () => ({ host: '127.0.0.1', port: 4999 }),
      probe: async () => false,
    });
    expect(await locate()).toBeNull();
  });

  test('no state file and an invalid config: not running', async () => {
    const locate = createLocator({ env, readConfig: async () => null, probe: async () => true });
    expect(await locate()).toBeNull();
  });

  test('reads the real config file for the key (with its .env)', async () => {
    const cfgDir = join(dir, 'cfg');
    mkdirSync(cfgDir);
    writeFileSync(
      join(cfgDir, 'config.yml'),
      'litellm:\n  master_key: ${MK}\n  providers:\n    ollama: {}\n  models:\n    default:\n      - { provider: ollama, model: llama3 }\n',
    );
    writeFileSync(join(cfgDir, '.env'), 'MK=from-dotenv\n');
    writeState({
      pid: process.pid,
      port: 4111,
      url: 'http://127.0.0.1:4111',
      config_path: join(cfgDir, 'config.yml'),
    });
    expect(await createLocator({ env, alive: pidAlive })()).toEqual({
      url: 'http://127.0.0.1:4111',
      key: 'from-dotenv',
    });
  });
});

describe('connectHost', () => {
  test('connectHost', () => {
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('[::1]');
    expect(connectHost('::1')).toBe('[::1]');
    expect(connectHost('localhost')).toBe('localhost');
  });
});
