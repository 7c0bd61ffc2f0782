import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReady, readReady } from '../../src/shared/ready-signal.js';
import { DAEMON } from '../helpers/built-daemon.js';

const BUNDLE = new URL('../../dist/daemon/daemon-main.js', import.meta.url).pathname;

/**
 * The detached daemon says it is ready on the pipe `start` gives it (`--ready-fd 3`) instead of
 * being polled: one JSON line naming it, sent after the state file is written; a daemon that
 * cannot start closes the pipe without that line and exits with its code.
 */
describe('daemon ready signal', () => {
  let dir: string;
  let closed: Server;
  let closedPort: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-ready-'));
    // A port that refuses connections: its provider is reported unreachable in the ready line.
    closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (name: string, config: string, extra: string[] = ['--ready-fd', '3'], entry = DAEMON) => {
    const state = join(dir, name);
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, config);
    const child = spawn(process.execPath, [entry, '--config', file, '--port', '0', ...extra], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, AGENTBOX_STATE_DIR: state },
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, state, exited, pipe: child.stdio[3] as Readable };
  };

  it('sends one line with the state it wrote and the unreachable deployments, then closes', async () => {
    const d = run(
      'ok',
      [
        'litellm:',
        '  providers:',
        `    gone: { type: openai_compatible, api_base: http://127.0.0.1:${closedPort}/v1, api_key: x }`,
        '  models:',
        '    chat: [{ provider: gone, model: m }]',
        '',
      ].join('\n'),
    );
    try {
      const ready = await readReady<{ provider: string; state: string; reason?: string }>(d.pipe);
      expect(ready).toBeDefined();
      const onDisk = JSON.parse(readFileSync(join(d.state, 'litellm.json'), 'utf8')) as { pid: number };
      expect(ready!.state).toEqual(onDisk);
      expect(ready!.state.pid).toBe(d.child.pid);
      expect(ready!.deployments).toHaveLength(1);
      expect(ready!.deployments[0]).toMatchObject({ provider: 'gone', state: 'unreachable' });
      expect(ready!.deployments[0].reason).toContain(`127.0.0.1:${closedPort}`);
      const live = await fetch(`${ready!.state.url}/health/liveliness`);
      expect(live.status).toBe(200);
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
  });

  it('the bundle start spawns (dist/daemon/) signals the same way and serves', async () => {
    const d = run('bundle', 'litellm: {}\n', ['--ready-fd', '3'], BUNDLE);
    try {
      const ready = await readReady(d.pipe);
      expect(ready?.state.pid).toBe(d.child.pid);
      const res = await fetch(`${ready!.state.url}/v1/models`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { object: string }).object).toBe('list');
      // The MCP route loads the MCP SDK from its own chunk on the first call.
      const mcp = await fetch(`${ready!.state.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        }),
      });
      expect(mcp.status).toBe(200);
      expect(await mcp.text()).toContain('"serverInfo"');
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
  });

  it('an invalid config: the pipe closes without a ready line and the daemon exits 2', async () => {
    const d = run('bad', 'litellm:\n  models:\n    chat: [{ provider: nowhere, model: m }]\n');
    expect(await readReady(d.pipe)).toBeUndefined();
    expect(await d.exited).toBe(2);
  });

  it('a --ready-fd that is not a descriptor above 2 is refused with exit 2', async () => {
    const d = run('fd', 'litellm: {}\n', ['--ready-fd', '1']);
    expect(await d.exited).toBe(2);
    const log = readFileSync(join(d.state, 'litellm.log'), 'utf8');
    expect(log).toContain('--ready-fd: not a file descriptor above 2: 1');
  });

  it('parseReady refuses lines that do not name a daemon', () => {
    expect(parseReady('')).toBeUndefined();
    expect(parseReady('{"state":{"pid":"1","url":"x"}}\n')).toBeUndefined();
    expect(parseReady('not json\n')).toBeUndefined();
    const ok = parseReady('{"state":{"pid":7,"url":"http://127.0.0.1:1"}}\n{"junk"');
    expect(ok).toEqual({ state: { pid: 7, url: 'http://127.0.0.1:1' }, deployments: [] });
  });
});
