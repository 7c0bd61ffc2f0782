import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { claudeLines, codexLines, configUrl, env, keyReference } from '../../../src/cli/commands/env.js';
import { ExitError } from '../../../src/cli/output.js';
import { loadConfigText } from '../../../src/config/load.js';
import type { LitellmConfig } from '../../../src/config/types.js';
import { parseYaml } from '../../../src/config/yaml-text.js';
import { writeState } from '../../../src/shared/state-file.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const readCmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};

const BASE = `
litellm:
  port: 4123
  providers:
    anthropic: { api_key: sk-ant-test }
    openai: { api_key: sk-oai-test }
`;

function load(yaml: string, environ: Record<string, string> = {}): { config: LitellmConfig; raw: unknown } {
  const r = loadConfigText(yaml, { env: environ });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const raw = parseYaml(yaml);
  return { config: r.loaded.config, raw: raw.ok ? raw.value : undefined };
}

describe('claudeLines', () => {
  it('a claude-* glob serves Claude Code’s own model names: no model variables', () => {
    const { config } = load(`${BASE}  models:
    code: [{ provider: openai, model: gpt-4o }]
    "claude-*": [{ provider: anthropic, model: claude-sonnet-4-5 }]
`);
    expect(claudeLines({ url: 'http://127.0.0.1:4123', key: '"$K"', config })).toEqual([
      'export ANTHROPIC_BASE_URL=http://127.0.0.1:4123',
      'export ANTHROPIC_AUTH_TOKEN="$K"',
      'unset ANTHROPIC_API_KEY',
      'export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
    ]);
  });

  it('without such an alias: the main model is `code`, the small one `fast`', () => {
    const { config } = load(`${BASE}  models:
    default: [{ provider: openai, model: gpt-4o }]
    fast: [{ provider: openai, model: gpt-4o-mini }]
    code: [{ provider: anthropic, model: claude-sonnet-4-5 }]
`);
    const lines = claudeLines({ url: 'http://127.0.0.1:4123', key: 'agentbox', config });
    expect(lines).toContain('export ANTHROPIC_MODEL=code');
    expect(lines).toContain('export ANTHROPIC_SMALL_FAST_MODEL=fast');
    expect(lines).toContain('export ANTHROPIC_DEFAULT_HAIKU_MODEL=fast');
  });

  it('an alias for the haiku name only: just the main model is set; --model sets both', () => {
    const { config } = load(`${BASE}  models:
    default: [{ provider: openai, model: gpt-4o }]
    "claude-haiku-*": [{ provider: anthropic, model: claude-haiku-4-5 }]
`);
    const lines = claudeLines({ url: 'u', key: 'k', config });
    expect(lines).toContain('export ANTHROPIC_MODEL=default');
    expect(lines.join('\n')).not.toContain('SMALL_FAST');
    const forced = claudeLines({ url: 'u', key: 'k', config, model: 'my model' });
    expect(forced).toContain(`export ANTHROPIC_MODEL='my model'`);
    expect(forced).toContain(`export ANTHROPIC_SMALL_FAST_MODEL='my model'`);
  });
});

describe('codexLines', () => {
  it('the model line, the provider table with /v1 and wire_api responses, and the key export', () => {
    const { config } = load(`${BASE}  models:
    default: [{ provider: openai, model: gpt-4o }]
    code: [{ provider: anthropic, model: claude-sonnet-4-5 }]
`);
    expect(codexLines({ url: 'http://127.0.0.1:4123', key: '"$AGENTBOX_MASTER_KEY"', config })).toEqual({
      toml: [
        'model = "code"',
        'model_provider = "agentbox"',
        '',
        '[model_providers.agentbox]',
        'name = "agentbox"',
        'base_url = "http://127.0.0.1:4123/v1"',
        'env_key = "AGENTBOX_API_KEY"',
        'wire_api = "responses"',
      ],
      shell: ['export AGENTBOX_API_KEY="$AGENTBOX_MASTER_KEY"'],
    });
  });

  it('no `code` alias: `default`; --model wins', () => {
    const { config } = load(`${BASE}  models:
    default: [{ provider: openai, model: gpt-4o }]
`);
    expect(codexLines({ url: 'u', key: 'k', config }).toml[0]).toBe('model = "default"');
    expect(codexLines({ url: 'u', key: 'k', config, model: 'openai/gpt-4o' }).toml[0]).toBe(
      'model = "openai/gpt-4o"',
    );
  });
});

describe('keyReference', () => {
  const models = `  models:\n    default: [{ provider: openai, model: gpt-4o }]\n`;

  it('no master key: any placeholder', () => {
    const { config, raw } = load(BASE + models);
    expect(keyReference(raw, config, 'claude', {})).toEqual({ key: 'agentbox' });
  });

  it.each([['${AGENTBOX_MASTER_KEY}'], ['"${AGENTBOX_MASTER_KEY:-}"'], ['os.environ/AGENTBOX_MASTER_KEY']])(
    'master_key: %s → a reference to the variable, never its value',
    (ref) => {
      const { config, raw } = load(`${BASE}  master_key: ${ref}\n${models}`, {
        AGENTBOX_MASTER_KEY: 'mk-secret-1',
      });
      const got = keyReference(raw, config, 'codex', { AGENTBOX_MASTER_KEY: 'mk-secret-1' });
      expect(got).toEqual({ key: '"$AGENTBOX_MASTER_KEY"' });
    },
  );

  it('the variable is not set in this shell: a note says so', () => {
    const { config, raw } = load(`${BASE}  master_key: \${MK}\n${models}`, { MK: 'mk-from-dotenv' });
    const got = keyReference(raw, config, 'claude', {});
    expect(got.key).toBe('"$MK"');
    expect(got.note).toMatch(/MK is not set in this shell/);
  });

  it('a literal master key is never printed: a placeholder and a note', () => {
    const { config, raw } = load(`${BASE}  master_key: mk-literal-secret-99\n${models}`);
    const got = keyReference(raw, config, 'claude', {});
    expect(JSON.stringify(got)).not.toContain('mk-literal-secret-99');
    expect(got.key).toBe(`'<litellm.master_key>'`);
    expect(got.note).toMatch(/written literally/);
  });

  it('a virtual key named after the agent comes first', () => {
    const yaml = `${BASE}  master_key: \${MK}
  keys:
    codex: { key: \${CODEX_AGENT_KEY}, models: [default] }
${models}`;
    const e = { MK: 'mk-1234567890', CODEX_AGENT_KEY: 'ck-1234567890' };
    const { config, raw } = load(yaml, e);
    expect(keyReference(raw, config, 'codex', e)).toEqual({ key: '"$CODEX_AGENT_KEY"' });
    expect(keyReference(raw, config, 'claude', e)).toEqual({ key: '"$MK"' });
  });
});

describe('configUrl', () => {
  it('a wildcard listen address is reached on loopback', () => {
    expect(configUrl({ host: '127.0.0.1', port: 4000 })).toBe('http://127.0.0.1:4000');
    expect(configUrl({ host: '0.0.0.0', port: 4001 })).toBe('http://127.0.0.1:4001');
    expect(configUrl({ host: '::', port: 4002 })).toBe('http://[::1]:4002');
  });
});

describe('env (the command)', () => {
  let dir: string;
  let stdout: string;
  let stderr: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-env-'));
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (c: string | Uint8Array) => ((stdout += String(c)), true),
    );
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (c: string | Uint8Array) => ((stderr += String(c)), true),
    );
  });
  afterEach(() => {
    vi.restoreAllMocks();
    if (child?.pid) process.kill(child.pid, 'SIGKILL');
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const environ = (): NodeJS.ProcessEnv => ({
    HOME: dir,
    AGENTBOX_STATE_DIR: join(dir, 'state'),
    MK: 'mk-abcdefghij',
  });

  it('an unknown agent is a usage error (exit 2)', async () => {
    const e = await env('cursor', {}, environ()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).exitCode).toBe(2);
    expect((e as ExitError).message).toMatch(/unknown agent "cursor".*claude, codex/);
  });

  it('no daemon: the URL from the config file, and a hint to start it', async () => {
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      `${BASE}  master_key: \${MK}\n  models:\n    code: [{ provider: openai, model: gpt-4o }]\n`,
    );
    await env('codex', { config: file }, environ());
    expect(stdout).toContain('base_url = "http://127.0.0.1:4123/v1"');
    expect(stdout).toContain('export AGENTBOX_API_KEY="$MK"');
    expect(stdout).not.toContain('mk-abcdefghij');
    expect(stderr).toMatch(/not running/);
  });

  it('a running daemon: its URL from the state file, its config for the key', async () => {
    const file = join(dir, 'daemon-config.yml');
    writeFileSync(
      file,
      `${BASE}  master_key: \${MK}\n  models:\n    code: [{ provider: openai, model: gpt-4o }]\n`,
    );
    // A live process that looks like an agentbox daemon to the liveness check.
    child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'daemon-main.js'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !readCmdline(child.pid!).includes('daemon-main.js'); i++) await sleep(20);
    await writeState(join(dir, 'state', 'litellm.json'), {
      pid: child.pid!,
      port: 45999,
      url: 'http://127.0.0.1:45999',
      started_at: new Date().toISOString(),
      config_path: file,
      version: 'test',
    });
    await env('claude', {}, environ());
    expect(stdout).toContain('export ANTHROPIC_BASE_URL=http://127.0.0.1:45999\n');
    expect(stdout).toContain('export ANTHROPIC_AUTH_TOKEN="$MK"');
    expect(stderr).not.toMatch(/not running/);
  });
});
