import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { alive, BIN, chat, fakeConfig, makeSandbox, waitFor, type Sandbox } from './lifecycle-helpers.js';

/**
 * `agentbox litellm top` in a real terminal (a detached tmux session) against a running daemon:
 * the screen shows the aliases and a request served while it runs, and `q` ends it.
 */

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe.skipIf(!hasTmux)('agentbox litellm top (needs tmux)', () => {
  let up: FakeUpstream;
  let sb: Sandbox;
  const session = `agentbox-top-${process.pid}`;
  const socket = `agentbox-top-${process.pid}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...sb.env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  const screen = (): string => tmux('capture-pane', '-p', '-t', session);

  beforeAll(async () => {
    up = await startFakeUpstream('openai');
    sb = makeSandbox();
    sb.writeConfig(fakeConfig(up.apiBase, ['coder', 'reviewer']));
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
  }, 30_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    await sb?.cli(['litellm', 'stop']);
    await sb?.cleanup();
    await up?.close();
  });

  it('shows the aliases and a served request, and q quits', async () => {
    const url = sb.state()!.url;
    const envs = Object.entries(sb.env).map(([k, v]) => `${k}=${v}`);
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '160',
      '-y',
      '40',
      'env',
      ...envs,
      process.execPath,
      BIN,
      'litellm',
      'top',
      '--interval',
      '0.2',
    );
    const pid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
    expect(await waitFor(() => /coder/.test(screen()) && /reviewer/.test(screen()), 10_000)).toBe(true);
    expect(screen()).toMatch(/fake\/coder-model\s+ok/);

    expect((await chat(url, 'reviewer')).status).toBe(200);
    expect(await waitFor(() => /reviewer -> fake\/reviewer-model\s+200/.test(screen()), 5_000)).toBe(true);
    expect(screen()).toMatch(/1 requests, 0 failed/);

    tmux('send-keys', '-t', session, 'q');
    expect(await waitFor(() => !alive(pid), 5_000)).toBe(true);
  }, 40_000);
});
