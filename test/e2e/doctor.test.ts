import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { fakeConfig, makeSandbox, type Sandbox } from './lifecycle-helpers.js';

/** `agentbox doctor` (built bin): one line per check with its fix, `--json`, exit 1 when something is wrong. */
describe('agentbox doctor', () => {
  let up: FakeUpstream;
  const sandboxes: Sandbox[] = [];
  const sandbox = (): Sandbox => {
    const sb = makeSandbox();
    sandboxes.push(sb);
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

  it('a fresh machine: no config, no keys, no Ollama, no gateway — each said with its fix, exit 1', async () => {
    const sb = sandbox();
    const r = await sb.cli(['doctor']);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn +config +no config file .* → fix: agentbox config init$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warn +keys +no provider key found: looked for OPENAI_API_KEY, ANTHROPIC_API_KEY, GWDG_API_KEY/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^FAIL +reach ollama +http:\/\/127\.0\.0\.1:11434 is not answering \(connection refused\) → fix: start the server at http:\/\/127\.0\.0\.1:11434/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^FAIL +gateway +not running → fix: agentbox litellm start$/),
    );
    expect(lines.at(-1)).toBe('2 problem(s)');

    const j = await sb.cli(['doctor', '--json']);
    expect(j.exitCode).toBe(1);
    const report = JSON.parse(j.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c: any) => c.check === 'gateway')).toEqual({
      check: 'gateway',
      status: 'fail',
      detail: 'not running',
      fix: 'agentbox litellm start',
    });
  }, 60_000);

  it('a missing key names the variable and where to set it', async () => {
    const sb = sandbox();
    sb.writeConfig(
      `litellm:\n  providers:\n    p: { type: openai, api_base: ${up.apiBase}, api_key: \${MISSING_TEST_KEY} }\n  models:\n    default:\n      - { provider: p, model: m }\n`,
    );
    const r = await sb.cli(['doctor', '--json']);
    const key = JSON.parse(r.stdout).checks.find((c: any) => c.check === 'key p');
    expect(key).toMatchObject({
      status: 'fail',
      fix: `export MISSING_TEST_KEY=… (or put it in the .env beside ${sb.configPath})`,
    });
    expect(key.detail).toContain('MISSING_TEST_KEY is not set');
    expect(JSON.parse(r.stdout).checks.map((c: any) => c.check)).not.toContain('schema');
  }, 60_000);

  it('config init writes a schema line that resolves; one pointing at a removed file is reported with the fix', async () => {
    const sb = sandbox();
    expect((await sb.cli(['config', 'init'])).exitCode).toBe(0);
    const ok = JSON.parse((await sb.cli(['doctor', '--json'])).stdout);
    expect(ok.checks.find((c: any) => c.check === 'schema')).toMatchObject({ status: 'ok' });
    const written = readFileSync(sb.configPath, 'utf8');
    const ref = /\$schema=(\S+)/.exec(written)![1];
    expect(JSON.parse(readFileSync(ref, 'utf8')).title).toBe('agentbox config.yml');
    sb.writeConfig(written.replace(ref, '/gone/clone/config.schema.json'));
    const gone = JSON.parse((await sb.cli(['doctor', '--json'])).stdout);
    expect(gone.checks.find((c: any) => c.check === 'schema')).toEqual({
      check: 'schema',
      status: 'warn',
      detail: 'the editor schema line points at /gone/clone/config.schema.json, which does not exist',
      fix: `replace it with: # yaml-language-server: $schema=${ref}`,
    });
  }, 60_000);

  it('all well: exit 0; an agent pointed elsewhere: that check fails with the command that fixes it', async () => {
    const sb = sandbox();
    sb.writeConfig(fakeConfig(up.apiBase, ['default']));
    expect((await sb.cli(['litellm', 'start', '--port', '0'])).exitCode).toBe(0);
    const url = sb.state()!.url;
    sb.env.ANTHROPIC_BASE_URL = url;
    mkdirSync(join(sb.home, '.codex'), { recursive: true });
    const codex = (await sb.cli(['env', 'codex'])).stdout.split('\n# shell')[0];
    writeFileSync(join(sb.home, '.codex', 'config.toml'), codex);

    const good = await sb.cli(['doctor']);
    expect(good.exitCode, good.stdout).toBe(0);
    expect(good.stdout).toMatch(/^ok +gateway +running on /m);
    expect(good.stdout).toMatch(/^ok +agent claude +ANTHROPIC_BASE_URL points at /m);
    expect(good.stdout).toMatch(/^ok +agent codex +/m);
    expect(good.stdout).toMatch(/^ok +reach fake +/m);
    expect(good.stdout.trim().split('\n').at(-1)).toBe('nothing is wrong');

    sb.env.ANTHROPIC_BASE_URL = 'http://127.0.0.1:1';
    const bad = await sb.cli(['doctor']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain(
      `FAIL  agent claude  ANTHROPIC_BASE_URL=http://127.0.0.1:1, but the gateway listens on ${url} → fix: eval "$(agentbox env claude)"`,
    );
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
  }, 60_000);
});
