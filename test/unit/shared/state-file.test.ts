import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  daemonAlive,
  parseState,
  pidAlive,
  readState,
  removeState,
  writeState,
  type DaemonState,
} from '../../../src/shared/state-file.js';

const sample = (pid: number): DaemonState => ({
  pid,
  port: 4000,
  url: 'http://127.0.0.1:4000',
  started_at: '2025-01-01T00:00:00.000Z',
  config_path: '/home/u/.config/agentbox/config.yml',
  version: '0.1.0',
});

describe('state file', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically (no temporary file left) and reads back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-state-'));
    const file = join(dir, 'nested', 'litellm.json');
    await writeState(file, sample(123));
    expect(readdirSync(join(dir, 'nested'))).toEqual(['litellm.json']);
    expect(await readState(file)).toEqual(sample(123));
  });

  it('rejects junk and keeps the optional port_override', () => {
    expect(parseState('nope')).toBeUndefined();
    expect(parseState('{"pid": "1", "port": 1, "url": "x"}')).toBeUndefined();
    expect(parseState(JSON.stringify({ ...sample(5), port_override: 0 }))).toEqual({
      ...sample(5),
      port_override: 0,
    });
    expect(parseState(JSON.stringify({ pid: 5, port: 1, url: 'u' }))).toMatchObject({ config_path: null });
  });

  it('removes the file only while it names the given pid', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-state-'));
    const file = join(dir, 'litellm.json');
    await writeState(file, sample(200));
    await removeState(file, 201);
    expect(await readState(file)).toBeDefined();
    await removeState(file, 200);
    expect(await readState(file)).toBeUndefined();
    writeFileSync(file, 'junk');
    await removeState(file);
    expect(await readState(file)).toBeUndefined();
  });

  it('tells a live gateway from a dead pid and from an unrelated process', async () => {
    expect(pidAlive(process.pid)).toBe(true);
    const done = execa(process.execPath, ['-e', '']);
    const deadPid = done.pid!;
    await done;
    expect(pidAlive(deadPid)).toBe(false);
    expect(daemonAlive(deadPid)).toBe(false);
    const sleeper = execa('sleep', ['10']);
    try {
      expect(pidAlive(sleeper.pid!)).toBe(true);
      expect(daemonAlive(sleeper.pid!)).toBe(false);
    } finally {
      sleeper.kill();
      await sleeper.catch(() => undefined);
    }
    const named = execa(process.execPath, [
      '-e',
      'process.title = "agentbox-litellm"; setTimeout(() => {}, 10000)',
    ]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(daemonAlive(named.pid!)).toBe(true);
    } finally {
      named.kill();
      await named.catch(() => undefined);
    }
  });
});
