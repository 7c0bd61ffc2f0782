import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { BIN, alive, chat, fakeConfig, makeSandbox, waitFor, type Sandbox } from './lifecycle-helpers.js';

describe('agentbox litellm start/stop edge cases (built bin)', () => {
  let up: FakeUpstream;
  const sandboxes: Sandbox[] = [];
  const sandbox = (): Sandbox => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    sb.writeConfig(fakeConfig(up.apiBase, ['default']));
    return sb;
  };

  beforeAll(async () => {
    up = await startFakeUpstream('openai');
  });
  afterEach(async () => {
    up.setBehaviours({ kind: 'ok' });
    for (const sb of sandboxes.splice(0)) await sb.cleanup();
  });
  afterAll(async () => {
    await up.close();
  });

  it('two concurrent starts end with one daemon', async () => {
    const sb = sandbox();
    const [a, b] = await Promise.all([
      sb.cli(['litellm', 'start', '--port', '0']),
      sb.cli(['litellm', 'start', '--port', '0']),
    ]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    const pids = [a.stdout, b.stdout].map((o) => Number(/\(pid (\d+)/.exec(o)?.[1]));
    expect(pids[0]).toBe(pids[1]);
    expect([a.stdout, b.stdout].filter((o) => o.includes('already running'))).toHaveLength(1);
    expect(sb.state()!.pid).toBe(pids[0]);
    expect(alive(pids[0])).toBe(true);
    // A third start after the fact: already running, exit 0.
    const c = await sb.cli(['litellm', 'start']);
    expect(c.exitCode).toBe(0);
    expect(c.stdout).toContain(`already running on ${sb.state()!.url} (pid ${pids[0]})`);
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
  }, 60_000);

  it('cleans up a stale state file (dead pid, or a pid now used by another program)', async () => {
    const sb = sandbox();
    const exited = execa(process.execPath, ['-e', '']);
    const deadPid = exited.pid!;
    await exited;
    mkdirSync(sb.stateDir, { recursive: true });
    const stale = (pid: number): string =>
      JSON.stringify({
        pid,
        port: 1,
        url: 'http://127.0.0.1:1',
        started_at: '2020-01-01T00:00:00Z',
        config_path: null,
        version: '0',
      });
    writeFileSync(sb.stateFile, stale(deadPid));
    const st = await sb.cli(['litellm', 'status']);
    expect(st.exitCode).toBe(3);
    expect(existsSync(sb.stateFile)).toBe(false);
    writeFileSync(sb.stateFile, 'not json');
    expect((await sb.cli(['litellm', 'stop'])).stdout).toContain('not running');
    expect(existsSync(sb.stateFile)).toBe(false);

    const other = execa('sleep', ['30']);
    try {
      writeFileSync(sb.stateFile, stale(other.pid!));
      const start = await sb.cli(['litellm', 'start', '--port', '0']);
      expect(start.exitCode, start.stderr).toBe(0);
      expect(start.stdout).toContain('agentbox gateway running on');
      expect(sb.state()!.pid).not.toBe(other.pid);
      expect(alive(other.pid!)).toBe(true);
      expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
      expect(alive(other.pid!)).toBe(true);
    } finally {
      other.kill();
      await other.catch(() => undefined);
    }
  }, 60_000);

  it('names the port and the process holding it', async () => {
    const sb = sandbox();
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await sb.cli(['litellm', 'start', '--port', String(port)]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use by pid ${process.pid}`);
      expect(sb.state()).toBeUndefined();
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 30_000);

  it('an invalid config: every error, exit 2, nothing started', async () => {
    const sb = sandbox();
    sb.writeConfig(`litellm:
  port: 70000
  models:
    default:
      - { provider: nope, model: x }
`);
    const r = await sb.cli(['litellm', 'start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/litellm\.port: /);
    expect(r.stderr).toMatch(/litellm\.models\.default\[0\]\.provider: /);
    expect(r.stdout).toBe('');
    expect(existsSync(sb.stateFile)).toBe(false);
    expect(existsSync(sb.logFile)).toBe(false);
  }, 30_000);

  it('restart keeps the config file; an invalid config leaves the running daemon alone', async () => {
    const sb = sandbox();
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
    const first = sb.state()!;
    const r = await sb.cli(['litellm', 'restart']);
    expect(r.exitCode, r.stderr).toBe(0);
    const second = sb.state()!;
    expect(second.pid).not.toBe(first.pid);
    expect(alive(first.pid)).toBe(false);
    expect(second.config_path).toBe(sb.configPath);
    expect((await chat(second.url, 'default')).status).toBe(200);

    sb.writeConfig('litellm:\n  models: 3\n');
    const bad = await sb.cli(['litellm', 'restart']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('the running gateway was left as it is');
    expect(sb.state()!.pid).toBe(second.pid);
    expect(alive(second.pid)).toBe(true);
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
  }, 60_000);

  it('stop lets a stream in flight finish', async () => {
    const sb = sandbox();
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
    const { url, pid } = sb.state()!;
    up.setBehaviours({ kind: 'slow', ms: 200 });
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let text = new TextDecoder().decode(first.value);

    const stopping = sb.cli(['litellm', 'stop']);
    // While draining, the daemon takes no new connections.
    const refused = await waitFor(async () => {
      try {
        await fetch(`${url}/health/liveliness`, { signal: AbortSignal.timeout(500) });
        return false;
      } catch {
        return true;
      }
    }, 3_000);
    expect(refused).toBe(true);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('data: [DONE]');
    expect(text).not.toContain('"error"');
    const stop = await stopping;
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('stopped');
    expect(alive(pid)).toBe(false);
    expect(existsSync(sb.stateFile)).toBe(false);
  }, 60_000);

  it('start --foreground writes the state file, answers status, and drains on SIGTERM', async () => {
    const sb = sandbox();
    const fg = execa(process.execPath, [BIN, 'litellm', 'start', '--foreground', '--port', '0'], {
      env: sb.env,
      extendEnv: false,
      reject: false,
    });
    try {
      const state = await waitFor(() => sb.state(), 10_000);
      expect(state?.pid).toBe(fg.pid);
      const st = await sb.cli(['litellm', 'status', '--json']);
      expect(st.exitCode, st.stderr).toBe(0);
      expect(JSON.parse(st.stdout).pid).toBe(fg.pid);
      const second = await sb.cli(['litellm', 'start', '--foreground', '--port', '0']);
      expect(second.exitCode).toBe(1);
      expect(second.stderr).toContain('already running');
      fg.kill('SIGTERM');
      const r = await fg;
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`agentbox gateway listening on ${state!.url}`);
      expect(existsSync(sb.stateFile)).toBe(false);
    } finally {
      fg.kill('SIGKILL');
    }
  }, 60_000);
});
