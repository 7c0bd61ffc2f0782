import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configInit } from '../../../src/cli/commands/config-init.js';
import { configSchema } from '../../../src/cli/commands/config-schema.js';
import { configValidate } from '../../../src/cli/commands/config-validate.js';
import { ExitError } from '../../../src/cli/output.js';
import { loadConfig } from '../../../src/config/load.js';
import { configJsonSchemaText } from '../../../src/config/schema.js';

let home: string;
let stdout: string;
let stderr: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'agentbox-cli-config-'));
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(home, { recursive: true, force: true });
});

async function exitCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    if (e instanceof ExitError) {
      if (e.message) stderr += `${e.message}\n`;
      return e.exitCode;
    }
    throw e;
  }
}

function write(rel: string, text: string): string {
  const file = join(home, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('agentbox config validate', () => {
  it('prints OK with alias and deployment counts, and warns about missing keys per deployment', async () => {
    const file = write(
      'c.yml',
      'litellm:\n  providers:\n    openai: { api_key: ${OPENAI_API_KEY} }\n    ollama: {}\n' +
        '  models:\n    default: [{ provider: openai, model: gpt-4o }, { provider: ollama, model: llama3.2 }]\n' +
        '    fast: [{ provider: ollama, model: llama3.2 }]\n',
    );
    expect(await exitCode(configValidate(file, { HOME: home }))).toBe(0);
    expect(stdout).toBe(`OK: ${file}  2 aliases, 3 deployments\n`);
    expect(stderr).toContain('warning: default → openai/gpt-4o: key missing (OPENAI_API_KEY)');
    expect(stderr).toContain('warning: litellm.providers.openai.api_key: OPENAI_API_KEY not set');
  });

  it('says when the embedded defaults are in use', async () => {
    expect(await exitCode(configValidate(undefined, { HOME: home }))).toBe(0);
    expect(stdout).toMatch(
      /^OK: embedded defaults \(no file at .*config\.yml\) {2}4 aliases, 4 deployments\n$/,
    );
  });

  it('prints every problem as a path: message line on stderr and exits 2', async () => {
    const file = write(
      'bad.yml',
      'litellm:\n  providers: { openai: { api_key: k } }\n  models:\n    default:\n' +
        '      - { provider: openai, model: gpt-4o }\n      - { provider: gwdg, model: llama-3.3-70b }\n  prot: 1\n',
    );
    expect(await exitCode(configValidate(file, { HOME: home }))).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toContain('litellm.models.default[1].provider: unknown provider "gwdg"');
    expect(lines).toContain('litellm.prot: unknown key (did you mean "port"?)');
    expect(lines.at(-1)).toBe(`invalid config ${file}: 2 problems`);
  });

  it('a missing explicit file is exit 2', async () => {
    const missing = join(home, 'nope.yml');
    expect(await exitCode(configValidate(missing, { HOME: home }))).toBe(2);
    expect(stderr).toContain(`${missing}: no such file`);
  });

  it('never prints a secret', async () => {
    const file = write(
      'c.yml',
      'litellm:\n  master_key: ${MK}\n  keys: { a: { key: "${MK}" } }\n  providers: { openai: { api_key: sk-very-secret } }\n',
    );
    expect(await exitCode(configValidate(file, { HOME: home, MK: 'mk-secret' }))).toBe(2);
    expect(stderr).toContain('litellm.keys.a.key: same value as litellm.master_key');
    expect(stdout + stderr).not.toMatch(/mk-secret|sk-very-secret/);
  });
});

describe('agentbox config init', () => {
  it('writes the default path (creating directories) and the file loads back to the embedded defaults', async () => {
    const env = { HOME: home, OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a' };
    const target = join(home, '.config', 'agentbox', 'config.yml');
    const embedded = await loadConfig({ env });
    expect(await exitCode(configInit({}, env))).toBe(0);
    expect(stdout).toBe(`Wrote ${target} (providers: openai, anthropic, ollama)\n`);
    const text = readFileSync(target, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=.*config\.schema\.json\n/);
    expect(text).not.toMatch(/sk-o|sk-a/);

    const loaded = await loadConfig({ env });
    expect(loaded.ok && embedded.ok).toBe(true);
    if (!loaded.ok || !embedded.ok) return;
    expect(loaded.loaded.path).toBe(target);
    expect(embedded.loaded.path).toBeUndefined();
    expect(loaded.loaded.config.models).toEqual(embedded.loaded.config.models);
    expect(loaded.loaded.config.models.map((m) => m.name)).toEqual([
      'default',
      'fast',
      'code',
      'reasoning',
      'claude-*',
    ]);
  });

  it('refuses to overwrite without --force (exit 2), overwrites with it', async () => {
    const target = write('x/config.yml', 'mine: true\n');
    expect(await exitCode(configInit({ config: target }, { HOME: home }))).toBe(2);
    expect(stderr).toContain(`${target} already exists; use --force to overwrite it`);
    expect(readFileSync(target, 'utf8')).toBe('mine: true\n');

    expect(await exitCode(configInit({ config: target, force: true }, { HOME: home }))).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('litellm:');
  });

  it('writes to $AGENTBOX_CONFIG when no --config is given, and sees keys from the .env beside it', async () => {
    const target = join(home, 'via-env', 'deep', 'config.yml');
    write('via-env/deep/.env', 'GWDG_API_KEY=gw\n');
    expect(await exitCode(configInit({}, { HOME: home, AGENTBOX_CONFIG: target }))).toBe(0);
    expect(existsSync(target)).toBe(true);
    expect(readFileSync(target, 'utf8')).toContain('\n    gwdg_saia: { type: openai_compatible');
    const r = await loadConfig({ env: { HOME: home, AGENTBOX_CONFIG: target } });
    expect(r.ok && r.loaded.config.providers.gwdg_saia.keyState).toBe('set');
  });
});

describe('agentbox config schema', () => {
  it('prints the JSON schema, the same text as config.schema.json', async () => {
    await configSchema();
    expect(stdout).toBe(configJsonSchemaText());
    expect(JSON.parse(stdout).properties.litellm.type).toBe('object');
  });
});
