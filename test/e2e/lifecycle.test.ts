import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { BIN, alive, chat, fakeConfig, makeSandbox, waitFor, type Sandbox } from './lifecycle-helpers.js';

const KEY = 'sk-master-e2e-0123456789';

/**
 * The daily path, with the built bin in a fresh HOME: start → status → models → logs → edit the
 * config (served within 2 s, same pid) → invalid YAML (old config serves, status shows it) → fix →
 * stop → status exits 3. The config has a master_key, so the CLI must send it to the daemon.
 */
describe('agentbox litellm lifecycle (built bin)', () => {
  let up: FakeUpstream;
  let sb: Sandbox;

  beforeAll(async () => {
    up = await startFakeUpstream('openai');
    sb = makeSandbox();
  });
  afterAll(async () => {
    await sb.cleanup();
    await up.close();
  });

  it('runs the whole flow', async () => {
    const masterKey = `  master_key: ${KEY}\n`;
    sb.writeConfig(fakeConfig(up.apiBase, ['default'], masterKey));

    const st0 = await sb.cli(['litellm', 'status']);
    expect(st0.exitCode).toBe(3);

    const start = await sb.cli(['litellm', 'start', '--port', '0']);
    expect(start.stderr).toContain('starting the gateway');
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stdout).toMatch(
      /^agentbox gateway running on http:\/\/127\.0\.0\.1:\d+ \(pid \d+, 1 model\)$/m,
    );
    const state = sb.state()!;
    expect(state).toMatchObject({ config_path: sb.configPath, version: expect.any(String) });
    expect(state.port).toBeGreaterThan(0);
    expect(state.url).toBe(`http://127.0.0.1:${state.port}`);
    expect(start.stdout).toContain(state.url);
    expect(alive(state.pid)).toBe(true);

    // status --json: the documented shape, fetched with the master key.
    const st1 = await sb.cli(['litellm', 'status', '--json']);
    expect(st1.exitCode, st1.stderr).toBe(0);
    const s1 = JSON.parse(st1.stdout);
    // CONTRACT §4's fields, exactly; features may add their own (the usage issue adds `spend`).
    const contract = [
      'running',
      'pid',
      'url',
      'port',
      'uptime_s',
      'version',
      'config_path',
      'config_generation',
      'last_reload',
      'deployments',
      'requests',
    ];
    expect(Object.fromEntries(contract.map((k) => [k, s1[k]]))).toEqual({
      running: true,
      pid: state.pid,
      url: state.url,
      port: state.port,
      uptime_s: expect.any(Number),
      version: state.version,
      config_path: sb.configPath,
      config_generation: 1,
      last_reload: { at: expect.any(String), ok: true, errors: [] },
      deployments: [{ alias: 'default', provider: 'fake', model: 'default-model', key: 'set', state: 'ok' }],
      requests: { total: 0, failed: 0 },
    });
    expect(st1.stdout).not.toContain(KEY);

    const human = await sb.cli(['litellm', 'status']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain(`agentbox gateway running on ${state.url}`);
    expect(human.stdout).toMatch(/default\s+fake\s+default-model\s+set\s+ok/);

    const models = await sb.cli(['litellm', 'models', '--json']);
    expect(models.exitCode, models.stderr).toBe(0);
    expect(JSON.parse(models.stdout)).toEqual([
      {
        name: 'default',
        deployments: [
          { provider: 'fake', model: 'default-model', api_base: up.apiBase, key: 'set', state: 'ok' },
        ],
      },
    ]);
    const table = await sb.cli(['litellm', 'models']);
    expect(table.stdout).toMatch(/^ALIAS\s+PROVIDER\s+MODEL\s+KEY\s+STATE/m);
    expect(table.stderr).toContain('from the running gateway');

    expect((await chat(state.url, 'default', { key: KEY })).status).toBe(200);
    expect((await chat(state.url, 'added', { key: KEY })).status).toBe(404);

    // Add an alias: served within 2 s by the same process.
    sb.writeConfig(fakeConfig(up.apiBase, ['default', 'added'], masterKey));
    const t0 = Date.now();
    const served = await waitFor(
      async () => (await chat(state.url, 'added', { key: KEY })).status === 200,
      2_000,
      25,
    );
    expect(served, 'the new alias is served within 2 s').toBe(true);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const st2 = JSON.parse((await sb.cli(['litellm', 'status', '--json'])).stdout);
    expect(st2.pid).toBe(state.pid);
    expect(st2.config_generation).toBeGreaterThanOrEqual(2);

    // Invalid YAML: the old config keeps serving; status shows the problem; reload exits 2.
    sb.writeConfig('litellm:\n  models: [unclosed\n', 'in-place');
    const failed = await waitFor(async () => {
      const s = JSON.parse((await sb.cli(['litellm', 'status', '--json'])).stdout);
      return s.last_reload.ok === false ? s : undefined;
    }, 3_000);
    expect(failed, 'status shows the failed reload').toBeTruthy();
    expect(failed.last_reload.errors.length).toBeGreaterThan(0);
    expect(failed.config_generation).toBe(st2.config_generation);
    expect((await chat(state.url, 'added', { key: KEY })).status).toBe(200);
    const humanFailed = await sb.cli(['litellm', 'status']);
    expect(humanFailed.stdout).toContain('FAILED');
    const reloadBad = await sb.cli(['litellm', 'reload']);
    expect(reloadBad.exitCode).toBe(2);
    expect(reloadBad.stderr).toContain(sb.configPath);
    expect((await chat(state.url, 'added', { key: KEY })).status).toBe(200);

    // Fix it (and change the host, which needs a restart); an explicit reload reports the new generation.
    sb.writeConfig(fakeConfig(up.apiBase, ['default', 'added', 'third'], `${masterKey}  host: localhost\n`));
    const fixed = await waitFor(async () => {
      const s = JSON.parse((await sb.cli(['litellm', 'status', '--json'])).stdout);
      return s.last_reload.ok ? s : undefined;
    }, 3_000);
    expect(fixed?.deployments.map((d: { alias: string }) => d.alias)).toEqual(['default', 'added', 'third']);
    const reloadOk = await sb.cli(['litellm', 'reload']);
    expect(reloadOk.exitCode, reloadOk.stderr).toBe(0);
    expect(reloadOk.stdout).toMatch(/config reloaded: .*generation \d+, 3 models/);
    expect(reloadOk.stderr).toContain('needs a restart to take effect: host 127.0.0.1 -> localhost');
    const needs = JSON.parse((await sb.cli(['litellm', 'status', '--json'])).stdout);
    expect(needs.last_reload).toMatchObject({ ok: true, needs_restart: ['host 127.0.0.1 -> localhost'] });
    expect((await sb.cli(['litellm', 'status'])).stdout).toContain(
      'needs restart: host 127.0.0.1 -> localhost',
    );

    // logs: readable lines, not JSON; -n limits.
    const logs = await sb.cli(['litellm', 'logs', '-n', '200']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}gateway listening/m);
    expect(logs.stdout).toContain('config reload failed');
    expect(logs.stdout).toMatch(/INFO {2}request .*route=\/v1\/chat\/completions/);
    expect(logs.stdout).not.toMatch(/^\{/m);
    expect(logs.stdout).not.toContain(KEY);
    expect(logs.stdout).not.toContain('fake-key');
    const two = await sb.cli(['litellm', 'logs', '-n', '2']);
    expect(two.stdout.trim().split('\n')).toHaveLength(2);

    // logs -f prints the last line, then the lines appended after it.
    const follower = execa(process.execPath, [BIN, 'litellm', 'logs', '-f', '-n', '1'], {
      env: sb.env,
      extendEnv: false,
      reject: false,
    });
    let followed = '';
    follower.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
    expect(await waitFor(() => followed.includes('\n'), 10_000)).toBe(true);
    expect(followed).not.toMatch(/model=third/);
    await chat(state.url, 'third', { key: KEY });
    const sawIt = await waitFor(() => /request .*model=third/.test(followed), 3_000);
    follower.kill('SIGTERM');
    await follower;
    expect(sawIt, followed).toBe(true);

    const stop = await sb.cli(['litellm', 'stop']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`agentbox gateway stopped (pid ${state.pid}`);
    expect(alive(state.pid)).toBe(false);
    expect(sb.state()).toBeUndefined();

    const st3 = await sb.cli(['litellm', 'status', '--json']);
    expect(st3.exitCode).toBe(3);
    expect(JSON.parse(st3.stdout)).toEqual({ running: false });
    const stopAgain = await sb.cli(['litellm', 'stop']);
    expect(stopAgain.exitCode).toBe(0);
    expect(stopAgain.stdout).toContain('not running');

    // Not running: models come from the config file, with key state.
    const offline = await sb.cli(['litellm', 'models', '--json']);
    expect(offline.exitCode).toBe(0);
    expect(JSON.parse(offline.stdout).map((m: { name: string }) => m.name)).toEqual([
      'default',
      'added',
      'third',
    ]);
  }, 90_000);
});
