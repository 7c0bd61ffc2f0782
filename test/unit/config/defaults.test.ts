import { describe, expect, it } from 'vitest';
import { defaultLitellmSection } from '../../../src/config/defaults.js';
import { defaultConfigTemplate } from '../../../src/config/init-template.js';
import { loadConfigObject, loadConfigText } from '../../../src/config/load.js';
import type { LoadedConfig } from '../../../src/config/types.js';

const ALL = { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a', GWDG_API_KEY: 'gw' };

function embedded(env: Record<string, string>): LoadedConfig {
  const r = loadConfigObject({ litellm: defaultLitellmSection(env) }, { env });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.loaded;
}
const chains = (l: LoadedConfig) =>
  Object.fromEntries(l.config.models.map((m) => [m.name, m.deployments.map((d) => d.id)]));

describe('embedded defaults', () => {
  it('with no keys: ollama only, the four aliases over it', () => {
    const l = embedded({});
    expect(Object.keys(l.config.providers)).toEqual(['ollama']);
    expect(chains(l)).toEqual({
      default: ['ollama/llama3.2'],
      fast: ['ollama/llama3.2'],
      code: ['ollama/llama3.2'],
      reasoning: ['ollama/llama3.2'],
    });
    expect(l.warnings).toEqual([]);
    expect(l.config).toMatchObject({ enabled: true, port: 4000, host: '127.0.0.1' });
  });

  it('with every key: a provider each, chains over all, and the claude-* glob', () => {
    const l = embedded(ALL);
    expect(Object.keys(l.config.providers)).toEqual(['openai', 'anthropic', 'gwdg_saia', 'ollama']);
    expect(l.config.providers.gwdg_saia).toMatchObject({
      type: 'openai_compatible',
      apiBase: 'https://chat-ai.academiccloud.de/v1',
      apiKey: 'gw',
      keyState: 'set',
    });
    expect(chains(l)).toEqual({
      default: [
        'openai/gpt-4o',
        'anthropic/claude-sonnet-4-5',
        'gwdg_saia/llama-3.3-70b-instruct',
        'ollama/llama3.2',
      ],
      fast: [
        'openai/gpt-4o-mini',
        'anthropic/claude-haiku-4-5',
        'gwdg_saia/llama-3.3-70b-instruct',
        'ollama/llama3.2',
      ],
      code: [
        'anthropic/claude-sonnet-4-5',
        'openai/gpt-4o',
        'gwdg_saia/llama-3.3-70b-instruct',
        'ollama/llama3.2',
      ],
      reasoning: [
        'openai/o3-mini',
        'anthropic/claude-sonnet-4-5',
        'gwdg_saia/llama-3.3-70b-instruct',
        'ollama/llama3.2',
      ],
      'claude-*': [
        'anthropic/claude-sonnet-4-5',
        'openai/gpt-4o',
        'gwdg_saia/llama-3.3-70b-instruct',
        'ollama/llama3.2',
      ],
    });
    expect(l.config.models.find((m) => m.name === 'claude-*')?.glob).toBe(true);
  });

  it('only what is available: no claude-* without Anthropic; empty variables do not count', () => {
    const l = embedded({ OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: '  ' });
    expect(Object.keys(l.config.providers)).toEqual(['openai', 'ollama']);
    expect(l.config.models.map((m) => m.name)).toEqual(['default', 'fast', 'code', 'reasoning']);
    expect(chains(l).code).toEqual(['openai/gpt-4o', 'ollama/llama3.2']);
  });

  it('keeps secrets as ${VAR} references in the section (never the values)', () => {
    expect(JSON.stringify(defaultLitellmSection(ALL))).not.toMatch(/sk-o|sk-a|"gw"/);
  });
});

describe('config init template', () => {
  it.each([
    ['no keys', {}],
    ['openai only', { OPENAI_API_KEY: 'sk-o' }],
    ['anthropic + gwdg', { ANTHROPIC_API_KEY: 'sk-a', GWDG_API_KEY: 'gw' }],
    ['every key', ALL],
  ])('loads back to the embedded defaults (%s)', (_name, env: Record<string, string>) => {
    const text = defaultConfigTemplate(env, '/pkg/config.schema.json');
    const r = loadConfigText(text, { path: '/tmp/config.yml', env });
    if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
    const fromFile = r.loaded.config;
    const fromDefaults = embedded(env).config;
    expect(fromFile.models).toEqual(fromDefaults.models);
    expect(fromFile.providers).toEqual(fromDefaults.providers);
    expect(fromFile).toEqual(fromDefaults);
    expect(r.loaded.warnings).toEqual([]);
  });

  it('starts with the schema line, comments out what is unavailable, and never writes a secret', () => {
    const text = defaultConfigTemplate({ OPENAI_API_KEY: 'sk-secret-o' }, '/pkg/config.schema.json');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=/pkg/config.schema.json');
    expect(text).toContain('    openai: { api_key: "${OPENAI_API_KEY}" }');
    expect(text).toContain('    # anthropic: { api_key: "${ANTHROPIC_API_KEY}" }');
    expect(text).toContain('    # "claude-*":');
    expect(text).not.toContain('sk-secret-o');
  });

  it('uncommenting an unavailable provider and its entries gives a valid file', () => {
    const text = defaultConfigTemplate({}, 'x')
      .replace('# anthropic:', 'anthropic:')
      .replace(/# {3}- \{ provider: anthropic/g, '  - { provider: anthropic');
    const r = loadConfigText(text, { env: { ANTHROPIC_API_KEY: 'k' } });
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.loaded.config.models[2].deployments.map((d) => d.id)).toEqual([
        'anthropic/claude-sonnet-4-5',
        'ollama/llama3.2',
      ]);
  });
});
