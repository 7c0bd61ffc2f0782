import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnReporting } from '../../../src/cli/daemon-spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'agentbox-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in daemon: `node -e SCRIPT`, which gets `--ready-fd 3` appended like the real one. */
const run = (name: string, script: string) =>
  spawnReporting<{ provider: string }>(process.execPath, ['-e', script, '--'], {
    log: join(dir, `${name}.log`),
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
  });

const sendOnFd3 = (pidExpr: string) =>
  `const fd = Number(process.argv[process.argv.indexOf('--ready-fd') + 1]);
   const s = new (require('node:net').Socket)({ fd, readable: false });
   s.end(JSON.stringify({ state: { pid: ${pidExpr}, port: 1, url: 'http://127.0.0.1:1' }, deployments: [{ provider: 'p' }] }) + '\\n');
   console.log('to the log'); setTimeout(() => {}, 30000);`;

describe('spawnReporting', () => {
  it('resolves with the ready line the process sends on fd 3; its output goes to the log', async () => {
    const d = run('ready', sendOnFd3('process.pid'));
    try {
      const o = await d.outcome(10_000);
      expect(o).toEqual({
        ready: {
          state: { pid: d.pid, port: 1, url: 'http://127.0.0.1:1' },
          deployments: [{ provider: 'p' }],
        },
      });
      for (let i = 0; i < 100 && !readFileSync(join(dir, 'ready.log'), 'utf8'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(join(dir, 'ready.log'), 'utf8')).toBe('to the log\n');
    } finally {
      process.kill(d.pid, 'SIGKILL');
    }
  });

  it('a process that exits without the line: its exit code', async () => {
    const d = run('exits', 'process.exitCode = 3');
    expect(await d.outcome(10_000)).toEqual({ exitCode: 3 });
  });

  it('a line naming another process is not readiness; nor is silence, until the timeout', async () => {
    const other = run('other', sendOnFd3('process.pid + 1'));
    const silent = run('silent', 'setTimeout(() => {}, 30000)');
    try {
      expect(await other.outcome(500)).toEqual({ timedOut: true });
      expect(await silent.outcome(300)).toEqual({ timedOut: true });
    } finally {
      process.kill(other.pid, 'SIGKILL');
      process.kill(silent.pid, 'SIGKILL');
    }
  });
});
