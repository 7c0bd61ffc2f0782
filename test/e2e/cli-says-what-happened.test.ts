import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { freePort } from '../helpers/usage.js';
import { BIN, alive, fakeConfig, makeSandbox, type Sandbox } from './lifecycle-helpers.js';

/**
 * The built CLI says what happened: output commands end quietly on a closed pipe, `stop` returns
 * once the process is gone, a second `start` that asks for something else says how to switch,
 * `models --config` names its source, a zero-config start without keys or Ollama says so, and a
 * budget over an unpriced deployment is reported by `config validate` and `status`.
 */
describe('agentbox CLI (built bin) tells the truth', () => {
  let up: FakeUpstream;
  const sandboxes: Sandbox[] = [];
  const sandbox = (config = true): Sandbox => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    if (config) sb.writeConfig(fakeConfig(up.apiBase, ['default']));
    return sb;
  };

  beforeAll(async () => {
    up = await startFakeUpstream('openai');
  });
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.cleanup();
  });
  afterAll(async () => {
    await up.close();
  });

  it('output commands end quietly when the reader goes away (logs | head, config schema | head)', async () => {
    const sb = sandbox();
    mkdirSync(sb.stateDir, { recursive: true });
    const line = JSON.stringify({
      level: 30,
      time: Date.now(),
      msg: 'request',
      route: '/v1/chat/completions',
    });
    writeFileSync(sb.logFile, `${Array.from({ length: 20_000 }, () => line).join('\n')}\n`);
    for (const cmd of ['litellm logs -n 20000', 'config schema']) {
      const r = await execa('sh', ['-c', `node ${BIN} ${cmd} | head -n 1`], {
        env: sb.env,
        extendEnv: false,
        reject: false,
        cwd: sb.home,
        timeout: 30_000,
      });
      expect(r.stdout.split('\n')).toHaveLength(1);
      expect(r.stderr, cmd).not.toMatch(/EPIPE|Error|at .*\.js/);
    }
  }, 60_000);

  it('stop returns only once the process has exited', async () => {
    const sb = sandbox();
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
    const pid = sb.state()!.pid;
    const stop = await sb.cli(['litellm', 'stop']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(stop.stdout).toContain(`stopped (pid ${pid}`);
  }, 60_000);

  it('a second start with another --port or --config says what runs and how to switch', async () => {
    const sb = sandbox();
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
    const state = sb.state()!;
    const other = await freePort();
    const byPort = await sb.cli(['litellm', 'start', '--port', String(other)]);
    expect(byPort.exitCode).toBe(1);
    expect(byPort.stderr).toContain(`already running (pid ${state.pid}`);
    expect(byPort.stderr).toContain(`port ${state.port}, not ${other}`);
    expect(byPort.stderr).toContain(`agentbox litellm restart --config ${sb.configPath} --port ${other}`);

    const otherConfig = join(sb.home, 'other.yml');
    writeFileSync(otherConfig, fakeConfig(up.apiBase, ['second']));
    const byConfig = await sb.cli(['litellm', 'start', '--config', otherConfig]);
    expect(byConfig.exitCode).toBe(1);
    expect(byConfig.stderr).toContain(`config ${sb.configPath}, not ${otherConfig}`);
    expect(byConfig.stderr).toContain(`restart --config ${otherConfig}`);

    // Asking for what runs is still "already running", exit 0.
    const same = await sb.cli(['litellm', 'start']);
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('already running');

    // models --config names its source truthfully while the daemon runs.
    const models = await sb.cli(['litellm', 'models', '--config', otherConfig]);
    expect(models.exitCode, models.stderr).toBe(0);
    expect(models.stdout).toContain('second');
    expect(models.stderr).toContain(`from ${otherConfig}`);
    expect(models.stderr).toContain(
      `not what the running gateway (pid ${state.pid}) serves: it uses ${sb.configPath}`,
    );
    expect(models.stderr).not.toContain('not running');
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
  }, 90_000);

  it('a zero-config start without keys or Ollama says so, and status/models show the deployments unreachable', async () => {
    const sb = sandbox(false);
    sb.env.LITELLM_PORT = '0';
    // Nothing may listen on Ollama's port for this test to mean anything.
    const probe = await execa(process.execPath, [
      '-e',
      "require('net').connect(11434,'127.0.0.1').on('connect',()=>process.exit(1)).on('error',()=>process.exit(0))",
    ]).catch((e) => e);
    expect(probe.exitCode, 'something listens on 127.0.0.1:11434').toBe(0);

    const start = await sb.cli(['litellm', 'start']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).toContain(
      'no provider key found: looked for OPENAI_API_KEY, ANTHROPIC_API_KEY, GWDG_API_KEY in the environment',
    );
    expect(start.stderr).toMatch(
      /provider ollama: http:\/\/127\.0\.0\.1:11434 is not answering \(connection refused\)/,
    );

    const status = await sb.cli(['litellm', 'status', '--json']);
    const s = JSON.parse(status.stdout);
    expect(s.deployments.length).toBeGreaterThan(0);
    for (const d of s.deployments) {
      expect(d.state).toBe('unreachable');
      expect(d.reason).toBe('http://127.0.0.1:11434: connection refused');
    }
    const models = JSON.parse((await sb.cli(['litellm', 'models', '--json'])).stdout);
    expect(models.flatMap((m: any) => m.deployments.map((d: any) => d.state))).not.toContain('ok');
    // From the file, with no daemon: the probe still says so.
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
    const offline = JSON.parse((await sb.cli(['litellm', 'models', '--json'])).stdout);
    expect(offline[0].deployments[0].state).toBe('unreachable');
  }, 60_000);

  it('a budget over a deployment without a known price is reported by config validate and status', async () => {
    const sb = sandbox();
    sb.writeConfig(`${fakeConfig(up.apiBase, ['default'])}\n  budgets: { usd_per_day: 5 }\n`);
    const v = await sb.cli(['config', 'validate']);
    expect(v.exitCode, v.stderr).toBe(0);
    const expected =
      'litellm.models.default[0]: fake/default-model has no known price, so litellm.budgets cannot be enforced for it; ' +
      'set input_cost_per_token and output_cost_per_token on this entry';
    expect(v.stderr).toContain(expected);
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
    const status = await sb.cli(['litellm', 'status']);
    expect(status.stdout).toContain(`WARNING      ${expected}`);
    const json = JSON.parse((await sb.cli(['litellm', 'status', '--json'])).stdout);
    expect(json.budget_warnings).toEqual([
      { path: 'litellm.models.default[0]', message: expect.stringContaining('input_cost_per_token') },
    ]);
    // With prices set, nothing is reported.
    sb.writeConfig(
      fakeConfig(up.apiBase, ['default']).replace(
        'model: default-model }',
        'model: default-model, input_cost_per_token: 0, output_cost_per_token: 0 }',
      ) + '\n  budgets: { usd_per_day: 5 }\n',
    );
    const v2 = await sb.cli(['config', 'validate']);
    expect(v2.stderr).not.toContain('no known price');
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
  }, 60_000);
});
