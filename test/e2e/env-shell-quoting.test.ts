import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/built-daemon.js';

/**
 * `eval "$(agentbox env claude|codex)"` in a real bash: a hostile `host` in the config is refused by
 * the schema, and every value printed (URL, model names, TOML strings) reaches the shell as data.
 */
let home: string;
let env: Record<string, string>;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'agentbox-envq-'));
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AGENTBOX_STATE_DIR: join(home, 'state'),
  };
});
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

function config(name: string, host: string): string {
  const p = join(home, name);
  writeFileSync(
    p,
    [
      'litellm:',
      `  host: '${host}'`,
      '  port: 4999',
      '  providers:',
      '    ollama: { api_base: "http://127.0.0.1:11434/v1" }',
      '  models:',
      '    default: [{ provider: ollama, model: llama3 }]',
      '',
    ].join('\n'),
  );
  return p;
}

/** Run `eval "$(agentbox …)"` in bash, then print the variables the lines set. */
function evalIn(args: string[], show: string[]): { status: number | null; stdout: string; stderr: string } {
  const cmd = `eval "$(${[process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')})"; ${show
    .map((v) => `printf '%s=%s\\n' ${v} "$${v}"`)
    .join('; ')}`;
  const r = spawnSync('bash', ['-c', cmd], { env, encoding: 'utf8', cwd: home, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('agentbox env under eval', () => {
  it('env host with a command substitution is refused by the config schema and never runs', () => {
    const marker = join(home, 'pwned-host');
    const p = config('hostile.yml', `$(touch ${marker}).localhost`);
    const v = spawnSync(process.execPath, [BIN, 'config', 'validate', p], { env, encoding: 'utf8' });
    expect(v.status).toBe(2);
    expect(v.stdout + v.stderr).toMatch(/litellm\.host: host must be an IP address or a name/);
    for (const target of ['claude', 'codex']) {
      const r = evalIn(['env', target, '--config', p], []);
      expect(r.stderr).toMatch(/litellm\.host/);
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('env host: IP literals and plain names are accepted', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', 'my-box.localhost']) {
      const p = config(`ok-${host.replace(/[^a-z0-9]/gi, '_')}.yml`, host);
      const v = spawnSync(process.execPath, [BIN, 'config', 'validate', p], { env, encoding: 'utf8' });
      expect([host, v.status, v.stderr]).toEqual([host, 0, '']);
    }
    const bad = config('bad-v6.yml', 'fe80::zz');
    const v = spawnSync(process.execPath, [BIN, 'config', 'validate', bad], { env, encoding: 'utf8' });
    expect(v.status).toBe(2);
  });

  it('env claude: every printed value is shell-quoted (a model name with quotes and $(…) stays data)', () => {
    const marker = join(home, 'pwned-model');
    const model = `x'"$(touch ${marker})\`touch ${marker}\`;touch ${marker}`;
    const p = config('plain.yml', '127.0.0.1');
    const r = evalIn(
      ['env', 'claude', '--config', p, '--model', model],
      ['ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL', 'ANTHROPIC_AUTH_TOKEN'],
    );
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(r.stdout).toContain('ANTHROPIC_BASE_URL=http://127.0.0.1:4999\n');
    expect(r.stdout).toContain(`ANTHROPIC_MODEL=${model}\n`);
    expect(r.stdout).toContain(`ANTHROPIC_SMALL_FAST_MODEL=${model}\n`);
    expect(r.stdout).toContain('ANTHROPIC_AUTH_TOKEN=agentbox\n');
  });

  it('env codex: the TOML strings stay inert under eval and still decode to the model name', () => {
    const marker = join(home, 'pwned-codex');
    const model = `m-$(touch ${marker})-\`touch ${marker}\``;
    const p = config('plain2.yml', '127.0.0.1');
    const printed = spawnSync(process.execPath, [BIN, 'env', 'codex', '--config', p, '--model', model], {
      env,
      encoding: 'utf8',
    });
    expect(printed.status).toBe(0);
    const line = printed.stdout.split('\n').find((l) => l.startsWith('model = '))!;
    expect(JSON.parse(line.slice('model = '.length))).toBe(model); // TOML basic strings decode \u escapes like JSON
    const r = evalIn(['env', 'codex', '--config', p, '--model', model], ['AGENTBOX_API_KEY']);
    expect(existsSync(marker)).toBe(false);
    expect(r.stdout).toContain('AGENTBOX_API_KEY=agentbox\n');
  });
});
