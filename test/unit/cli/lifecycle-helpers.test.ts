import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { formatLogLine, problemsIn } from '../../../src/cli/log-format.js';
import { portFree, portOwner } from '../../../src/cli/port-owner.js';
import { acquireLock } from '../../../src/cli/start-lock.js';
import { table } from '../../../src/cli/table.js';
import { lastLines } from '../../../src/cli/commands/logs.js';

describe('log lines', () => {
  const t = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  it('makes pino JSON readable and passes other lines through', () => {
    const line = JSON.stringify({
      level: 30,
      time: t,
      pid: 1,
      msg: 'request',
      route: '/v1/messages',
      status: 200,
      error: undefined,
      note: 'two words',
    });
    expect(formatLogLine(line)).toBe(
      '03:04:05.678 INFO  request  route=/v1/messages status=200 note="two words"',
    );
    expect(formatLogLine(JSON.stringify({ level: 50, time: t, msg: 'boom', errors: ['a: b'] }))).toBe(
      '03:04:05.678 ERROR boom  errors=["a: b"]',
    );
    expect(formatLogLine('    at Object.<anonymous> (file.js:1:1)')).toBe(
      '    at Object.<anonymous> (file.js:1:1)',
    );
  });

  it('finds why a daemon failed to start', () => {
    const text = [
      JSON.stringify({ level: 30, msg: 'fine' }),
      JSON.stringify({
        level: 60,
        msg: 'the gateway failed to start',
        error: 'port 4000 on 127.0.0.1 is already in use',
      }),
      JSON.stringify({
        level: 60,
        msg: 'config invalid',
        errors: ['litellm.port: bad', 'litellm.models: bad'],
      }),
      'TypeError: crash',
    ].join('\n');
    expect(problemsIn(text)).toEqual([
      'port 4000 on 127.0.0.1 is already in use',
      'litellm.port: bad',
      'litellm.models: bad',
      'TypeError: crash',
    ]);
  });
});

describe('table', () => {
  it('aligns columns and blanks a repeated alias', () => {
    expect(
      table(
        ['A', 'B'],
        [
          ['default', 'x'],
          ['default', 'yy'],
          ['code', 'z'],
        ],
        { blankRepeats: 0 },
      ),
    ).toBe(['A        B', 'default  x', '         yy', 'code     z'].join('\n'));
  });
});

describe('lastLines', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  it('returns the last n lines of a large file, multi-byte characters intact', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-logs-'));
    const file = join(dir, 'log');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ünïcödé ${'x'.repeat(i % 50)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const size = readFileSync(file).length;
    expect(await lastLines(file, size, 3)).toEqual(lines.slice(-3));
    expect(await lastLines(file, size, 4000)).toEqual(lines.slice(-4000));
    expect(await lastLines(file, size, 0)).toEqual([]);
  });
});

describe('start lock', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is exclusive, released by its holder, and taken over from a dead holder', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-lock-'));
    const path = join(dir, 'litellm.lock');
    const release = await acquireLock(path);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    let waited: number | undefined;
    await expect(acquireLock(path, { timeoutMs: 300, onWait: (h) => (waited = h) })).rejects.toThrow(/holds/);
    expect(waited).toBe(process.pid);
    await release();
    expect(existsSync(path)).toBe(false);

    const done = execa(process.execPath, ['-e', '']);
    const deadPid = done.pid!;
    await done;
    writeFileSync(path, String(deadPid));
    const again = await acquireLock(path, { timeoutMs: 1_000 });
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    await again();
  });
});

describe('port checks', () => {
  it('sees a port in use and names this process as its owner', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await portFree('127.0.0.1', port)).toBe(false);
      expect(await portOwner(port)).toMatch(new RegExp(`^pid ${process.pid}( |$)`));
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await portFree('127.0.0.1', port)).toBe(true);
  });
});
