import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { REPO, alive, chat, fakeConfig, makeSandbox, waitFor, type Sandbox } from './lifecycle-helpers.js';

const SCRIPT = join(REPO, 'container', 'container-init.sh');
const hasShellcheck =
  (await execa('shellcheck', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;

const TINI = ['/usr/bin/tini', '/usr/sbin/tini'].find((p) => existsSync(p));

/** container/container-init.sh: `start_litellm` sourced into an init, and the script as an entrypoint. */
describe('container-init.sh', () => {
  let up: FakeUpstream;
  const sandboxes: Sandbox[] = [];
  const sandbox = (enabled: boolean): Sandbox => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    sb.writeConfig(fakeConfig(up.apiBase, ['default'], `  enabled: ${enabled}\n`));
    // Started by the script without --port: LITELLM_PORT=0 lets the OS choose.
    Object.assign(sb.env, {
      AGENTBOX_CONFIG: sb.configPath,
      LITELLM_PORT: '0',
      AGENTBOX_USER: userInfo().username,
    });
    return sb;
  };
  const sourced = (sb: Sandbox) =>
    execa('bash', ['-c', `set -eu; . "${SCRIPT}"; start_litellm; echo "init continues"`], {
      env: sb.env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
    });

  beforeAll(async () => {
    up = await startFakeUpstream('openai');
  });
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.cleanup();
  });
  afterAll(async () => {
    await up.close();
  });

  it.skipIf(!hasShellcheck)('is shellcheck-clean', async () => {
    const r = await execa('shellcheck', [SCRIPT], { reject: false });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('litellm.enabled: false — one log line, nothing started, the init goes on', async () => {
    const sb = sandbox(false);
    const r = await sourced(sb);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\S+Z agentbox container-init: litellm: disabled in .*config\.yml .*gateway not started$/,
    );
    expect(lines[1]).toBe('init continues');
    expect(existsSync(sb.stateFile)).toBe(false);
  }, 30_000);

  it('litellm.enabled: true — the daemon is up, the healthcheck passes', async () => {
    const sb = sandbox(true);
    const r = await sourced(sb);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /agentbox container-init: litellm: agentbox gateway running on http:\/\/127\.0\.0\.1:\d+ \(pid \d+, 1 model\)$/,
    );
    expect(lines[1]).toBe('init continues');
    const state = sb.state()!;
    expect(alive(state.pid)).toBe(true);
    expect((await chat(state.url, 'default')).status).toBe(200);
    const health = await execa(process.execPath, [join(REPO, 'container', 'healthcheck.mjs')], {
      env: sb.env,
      extendEnv: false,
      reject: false,
    });
    expect(health.exitCode).toBe(0);
    // A second init run (container restart without a new HOME) finds it running.
    const again = await sourced(sb);
    expect(again.stdout).toContain('already running');
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
    const down = await execa(process.execPath, [join(REPO, 'container', 'healthcheck.mjs')], {
      env: sb.env,
      extendEnv: false,
      reject: false,
    });
    expect(down.exitCode).toBe(1);
  }, 60_000);

  it('an invalid config: a log line, not started, the step reports failure', async () => {
    const sb = sandbox(true);
    sb.writeConfig('litellm:\n  port: nope\n');
    const r = await execa('bash', ['-c', `. "${SCRIPT}"; start_litellm; echo "rc=$?"`], {
      env: sb.env,
      extendEnv: false,
      reject: false,
    });
    expect(r.stdout).toMatch(/litellm: invalid config .*litellm\.port.*gateway not started/);
    expect(r.stdout).toContain('rc=1');
    expect(existsSync(sb.stateFile)).toBe(false);
  }, 30_000);

  it('as an entrypoint without a command: serves, and SIGTERM stops the gateway gracefully', async () => {
    const sb = sandbox(true);
    const init = execa(SCRIPT, [], { env: sb.env, extendEnv: false, reject: false });
    let out = '';
    init.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const state = await waitFor(() => sb.state(), 15_000);
      expect(state, out).toBeDefined();
      expect((await chat(state!.url, 'default')).status).toBe(200);
      // The log is followed on stdout (docker logs).
      expect(await waitFor(() => /INFO {2}request /.test(out), 5_000), out).toBe(true);
      init.kill('SIGTERM');
      const r = await init;
      expect(r.exitCode).toBe(0);
      expect(out).toContain('litellm: stopping the gateway');
      expect(alive(state!.pid)).toBe(false);
      expect(existsSync(sb.stateFile)).toBe(false);
    } finally {
      init.kill('SIGKILL');
    }
  }, 60_000);

  it.skipIf(!TINI)(
    "under tini as PID 1's stand-in (the Dockerfile's ENTRYPOINT): SIGTERM to tini stops the gateway gracefully",
    async () => {
      const sb = sandbox(true);
      const init = execa(TINI!, ['-s', '--', SCRIPT], { env: sb.env, extendEnv: false, reject: false });
      let out = '';
      init.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const state = await waitFor(() => sb.state(), 15_000);
        expect(state, out).toBeDefined();
        expect((await chat(state!.url, 'default')).status).toBe(200);
        init.kill('SIGTERM');
        const r = await init;
        expect(r.exitCode, out).toBe(0);
        expect(out).toContain('litellm: stopping the gateway');
        expect(alive(state!.pid)).toBe(false);
        expect(existsSync(sb.stateFile)).toBe(false);
      } finally {
        init.kill('SIGKILL');
      }
    },
    60_000,
  );

  it('as an entrypoint with a command: starts the gateway, then runs the command', async () => {
    const sb = sandbox(false);
    const r = await execa(SCRIPT, ['echo', 'hello from CMD'], {
      env: sb.env,
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/gateway not started\nhello from CMD$/);
  }, 30_000);

  it.skipIf(process.getuid?.() !== 0)(
    'run as root, it starts the gateway as AGENTBOX_USER',
    async () => {
      const sb = sandbox(true);
      // The unprivileged user needs to reach the config and write the state dir.
      const stateDir = join(sb.home, 'shared-state');
      mkdirSync(stateDir, { recursive: true });
      for (const p of [sb.home, join(sb.home, '.config'), join(sb.home, '.config', 'agentbox'), stateDir])
        chmodSync(p, 0o777);
      chmodSync(sb.configPath, 0o644);
      Object.assign(sb.env, { AGENTBOX_USER: 'nobody', AGENTBOX_STATE_DIR: stateDir });
      const r = await sourced(sb);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('agentbox gateway running on');
      const state = JSON.parse(readFileSync(join(stateDir, 'litellm.json'), 'utf8'));
      try {
        const status = readFileSync(`/proc/${state.pid}/status`, 'utf8');
        expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(
          String((await execa('id', ['-u', 'nobody'])).stdout.trim()),
        );
      } finally {
        const stop = await execa(
          'runuser',
          ['-u', 'nobody', '--', process.execPath, join(REPO, 'bin', 'agentbox.js'), 'litellm', 'stop'],
          {
            env: sb.env,
            extendEnv: false,
            reject: false,
          },
        );
        expect(stop.exitCode).toBe(0);
      }
    },
    60_000,
  );
});
