import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const VALID =
  'litellm:\n  providers:\n    openai: { api_key: ${OPENAI_API_KEY} }\n  models:\n    only: [{ provider: openai, model: gpt-4o }]\n';

describe('loadConfig: finding the file (§2)', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'agentbox-load-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const write = (rel: string, text: string): string => {
    const file = join(home, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('no file anywhere → the embedded defaults, no path', async () => {
    const r = await loadConfig({ env: { HOME: home } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.loaded.path).toBeUndefined();
    expect(r.loaded.config.enabled).toBe(true);
    expect(r.loaded.config.models.map((m) => m.name)).toEqual(['default', 'fast', 'code', 'reasoning']);
    expect(Object.keys(r.loaded.config.providers)).toEqual(['ollama']);
  });

  it('reads ~/.config/agentbox/config.yml, and XDG_CONFIG_HOME before it', async () => {
    const homeFile = write('.config/agentbox/config.yml', VALID);
    let r = await loadConfig({ env: { HOME: home } });
    expect(r.ok && r.loaded.path).toBe(homeFile);

    const xdgFile = write('xdg/agentbox/config.yml', VALID.replace('only', 'xdg'));
    r = await loadConfig({ env: { HOME: home, XDG_CONFIG_HOME: join(home, 'xdg') } });
    expect(r.ok && r.loaded.path).toBe(xdgFile);
    expect(r.ok && r.loaded.config.models[0].name).toBe('xdg');
  });

  it('falls through an XDG dir without a file to the home file', async () => {
    const homeFile = write('.config/agentbox/config.yml', VALID);
    const r = await loadConfig({ env: { HOME: home, XDG_CONFIG_HOME: join(home, 'empty-xdg') } });
    expect(r.ok && r.loaded.path).toBe(homeFile);
  });

  it('an explicit path or AGENTBOX_CONFIG wins and must exist', async () => {
    write('.config/agentbox/config.yml', VALID);
    const explicit = write('elsewhere/my.yml', VALID.replace('only', 'explicit'));
    let r = await loadConfig({ path: explicit, env: { HOME: home } });
    expect(r.ok && r.loaded.config.models[0].name).toBe('explicit');

    r = await loadConfig({ env: { HOME: home, AGENTBOX_CONFIG: explicit } });
    expect(r.ok && r.loaded.path).toBe(explicit);

    const missing = join(home, 'nope.yml');
    r = await loadConfig({ path: missing, env: { HOME: home } });
    expect(r).toEqual({ ok: false, errors: [{ path: missing, message: 'no such file' }], path: missing });
    r = await loadConfig({ env: { HOME: home, AGENTBOX_CONFIG: missing } });
    expect(r.ok).toBe(false);
  });

  it('reads .env beside the file; variables already in the environment win', async () => {
    const file = write('cfg/config.yml', VALID + '  master_key: ${MK}\n');
    write('cfg/.env', 'OPENAI_API_KEY=from-dotenv\nexport MK="dot master"\n');
    let r = await loadConfig({ path: file, env: { HOME: home } });
    expect(r.ok && r.loaded.config.providers.openai.apiKey).toBe('from-dotenv');
    expect(r.ok && r.loaded.config.masterKey).toBe('dot master');

    r = await loadConfig({ path: file, env: { HOME: home, OPENAI_API_KEY: 'from-env' } });
    expect(r.ok && r.loaded.config.providers.openai.apiKey).toBe('from-env');
  });

  it('the embedded defaults see the .env of the default config directory', async () => {
    write('.config/agentbox/.env', 'ANTHROPIC_API_KEY=sk-ant\n');
    const r = await loadConfig({ env: { HOME: home } });
    expect(r.ok && Object.keys(r.loaded.config.providers)).toEqual(['anthropic', 'ollama']);
  });

  it('passes --port and LITELLM_PORT through', async () => {
    const file = write('c.yml', 'litellm:\n  port: 5000\n');
    let r = await loadConfig({ path: file, env: { HOME: home, LITELLM_PORT: '6001' } });
    expect(r.ok && r.loaded.config.port).toBe(6001);
    r = await loadConfig({ path: file, env: { HOME: home, LITELLM_PORT: '6001' }, port: 0 });
    expect(r.ok && r.loaded.config.port).toBe(0);
  });

  it('invalid files return every error and the path', async () => {
    const file = write('bad.yml', 'litellm:\n  models:\n    a: [{ provider: x, model: m }]\n    b: []\n');
    const r = await loadConfig({ path: file, env: { HOME: home } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.path).toBe(file);
    expect(r.errors.map((e) => e.path).sort()).toEqual(['litellm.models.a[0].provider', 'litellm.models.b']);
  });
});
