import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importLitellmProxy } from '../../../src/config/litellm/import-yaml.js';
import { loadConfigText } from '../../../src/config/load.js';
import type { LoadedConfig } from '../../../src/config/types.js';

/** `config import`: the written agentbox config routes exactly as the LiteLLM file it came from. */

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/litellm/${name}`, import.meta.url), 'utf8');

function load(text: string, env: Record<string, string>): LoadedConfig {
  const r = loadConfigText(text, { path: 'c.yml', env });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.loaded;
}

/** What routing depends on: every servable chain entry in order, providers (type, base, key, headers), router and access. */
function routing(l: LoadedConfig) {
  const c = l.config;
  return {
    models: c.models
      .map((a) => ({
        name: a.name,
        chain: a.deployments
          .filter((d) => !d.unsupported)
          .map(({ provider, alias: _a, index: _i, ...d }) => ({ ...d, provider: provider.name })),
      }))
      .filter((a) => a.chain.length > 0),
    providers: Object.values(c.providers).map((p) => [
      p.name,
      p.type,
      p.apiBase,
      p.apiKey,
      p.keyState,
      p.headers,
    ]),
    router: c.router,
    fallbacks: c.fallbacks,
    masterKey: c.masterKey,
    dropParams: c.dropParams,
    cache: c.cache,
    redisUrl: c.redisUrl,
    maxBodyBytes: c.maxBodyBytes,
  };
}

const ENV = {
  OPENAI_API_KEY: 'sk-o',
  ANTHROPIC_API_KEY: 'sk-a',
  AZURE_API_BASE: 'http://127.0.0.1:9/v1',
  AZURE_API_KEY: 'az',
  OPENROUTER_API_KEY: 'sk-or',
  AWS_REGION: 'us-east-1',
};

describe('config import', () => {
  it.each([
    'docs-load-balancing.yaml',
    'docs-quick-start.yaml',
    'docs-reliability-fallbacks.yaml',
    'repo-load-balancer.yaml',
    'repo-aliases-config.yaml',
  ])('%s: the imported config routes like the original', (name) => {
    const source = fixture(name);
    const r = importLitellmProxy(source, name);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const imported = load(r.result.text, ENV);
    expect(imported.format).toBeUndefined();
    expect(routing(imported)).toEqual(routing(load(source, ENV)));
  });

  it('keeps secrets as references and marks what did not map with comments', () => {
    const r = importLitellmProxy(fixture('docs-reliability-fallbacks.yaml'), 'litellm.yaml');
    if (!r.ok) throw new Error('import failed');
    const text = r.result.text;
    expect(text).toContain('api_key: ${AZURE_API_KEY}');
    expect(text).toContain('api_base: ${AZURE_API_BASE}');
    expect(text).toContain('api_key: ${ANTHROPIC_API_KEY}');
    expect(text).not.toContain('os.environ');
    expect(text).toMatch(
      /# ignored: model_list\[0\]\.litellm_params\.api_version 2023-07-01-preview: only azure providers take api_version \(this one is openai_compatible\)\n\s+- provider: openai\n\s+model: chatgpt-v-2/,
    );
    expect(r.result).toMatchObject({ aliases: 3, deployments: 8, unsupported: 0, ignored: 1 });
  });

  it('an unsupported deployment is a comment in its chain; an alias left with none is named at the top', () => {
    const r = importLitellmProxy(fixture('docs-quick-start.yaml'), 'litellm.yaml');
    if (!r.ok) throw new Error('import failed');
    // The wildcard entry (`model: "*"`) has no agentbox equivalent; Azure and Bedrock ones are carried over.
    expect(r.result.text).toContain('#   alias * is left out: no deployment of it can be served by agentbox');
    expect(r.result.text).toContain(
      '#   model_list[5] unresolved/*: not carried over: LiteLLM infers the provider of "*" from its model map; write it as <provider>/*',
    );
    expect(r.result.text).toMatch(/bedrock_2:\n\s+type: bedrock\n\s+region: us-east-1/);
    expect(r.result.text).toContain('master_key: sk-1234');
  });

  it('environment_variables become ${VAR:-value} defaults; secret-looking ones are left to the environment', () => {
    const source =
      'model_list:\n  - model_name: a\n    litellm_params: { model: openai/m, api_base: os.environ/BASE, api_key: os.environ/MY_KEY }\nenvironment_variables:\n  BASE: http://127.0.0.1:1/v1\n  MY_KEY: sk-literal\n';
    const r = importLitellmProxy(source, 'x.yaml');
    if (!r.ok) throw new Error('import failed');
    expect(r.result.text).toContain('api_base: ${BASE:-http://127.0.0.1:1/v1}');
    expect(r.result.text).toContain('api_key: ${MY_KEY}');
    expect(r.result.text).not.toContain('sk-literal');
    expect(r.result.text).toContain('# Set MY_KEY in the environment or in .env beside this file');
  });

  it('refuses a file that is not a LiteLLM proxy config', () => {
    const r = importLitellmProxy('litellm:\n  models: {}\n', 'x.yml');
    expect(r.ok).toBe(false);
  });
});
