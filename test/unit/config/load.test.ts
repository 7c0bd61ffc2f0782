import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDeployments, loadConfigText, type LoadResult } from '../../../src/config/load.js';
import type { LoadedConfig } from '../../../src/config/types.js';

const contract = readFileSync(
  new URL('../../fixtures/config/contract-example.yml.txt', import.meta.url),
  'utf8',
);

function ok(r: LoadResult): LoadedConfig {
  if (!r.ok)
    throw new Error(
      `expected a valid config, got:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`,
    );
  return r.loaded;
}
function lines(r: LoadResult): string[] {
  if (r.ok) throw new Error('expected errors, the config loaded');
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('loadConfigText: the CONTRACT §3 example', () => {
  const env = {
    OPENAI_API_KEY: 'sk-openai',
    GWDG_API_KEY: 'gw',
    CLAUDE_AGENT_KEY: 'claude-k',
    CODEX_AGENT_KEY: 'codex-k',
  };
  const loaded = ok(loadConfigText(contract, { path: '/cfg/config.yml', env }));
  const { config } = loaded;

  it('parses the unquoted ${VAR} inside flow mappings and expands it', () => {
    expect(config.providers.openai.apiKey).toBe('sk-openai');
    expect(config.providers.gwdg_saia.apiKey).toBe('gw');
    expect(config.keys?.claude.key).toBe('claude-k');
  });

  it('infers provider types and api bases', () => {
    expect(config.providers.openai).toMatchObject({
      type: 'openai',
      apiBase: 'https://api.openai.com/v1',
      keyState: 'set',
    });
    expect(config.providers.anthropic).toMatchObject({
      type: 'anthropic',
      apiBase: 'https://api.anthropic.com/v1',
      keyState: 'missing',
      missingEnv: ['ANTHROPIC_API_KEY'],
    });
    expect(config.providers.anthropic.apiKey).toBeUndefined();
    expect(config.providers.gwdg_saia).toMatchObject({
      type: 'openai_compatible',
      apiBase: 'https://chat-ai.academiccloud.de/v1',
    });
    expect(config.providers.ollama).toMatchObject({ type: 'ollama', keyState: 'not_needed' });
  });

  it('keeps aliases in file order, flags globs, and builds deployments', () => {
    expect(config.models.map((m) => [m.name, m.glob])).toEqual([
      ['default', false],
      ['code', false],
      ['claude-*', true],
    ]);
    const d = config.models[0].deployments[1];
    expect(d).toMatchObject({
      id: 'gwdg_saia/llama-3.3-70b',
      alias: 'default',
      index: 1,
      model: 'llama-3.3-70b',
    });
    expect(d.provider).toBe(config.providers.gwdg_saia);
  });

  it('normalizes the other sections to camelCase with defaults', () => {
    expect(config).toMatchObject({
      enabled: true,
      port: 4000,
      host: '127.0.0.1',
      fallbacks: { onRateLimit: true, onContextWindow: true, onError: true },
      router: { numRetries: 3, timeoutS: 120, retryAfterSeconds: 60, allowedFails: 3, cooldownS: 30 },
      budgets: { usdPerDay: 20, usdPerMonth: 200, aliases: { code: { usdPerDay: 3 } } },
      rateLimits: { rpm: 600, tpm: 2000000 },
      cache: { type: 'memory', ttlS: 300, maxEntries: 1000 },
      maxBodyBytes: 32 * 1024 * 1024,
    });
    expect(config.keys?.claude).toEqual({
      name: 'claude',
      key: 'claude-k',
      keyState: 'set',
      models: ['claude-*', 'code'],
      budget: { usdPerDay: 5 },
      rpm: 120,
      tpm: 400000,
    });
    expect(config.masterKey).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(loaded.path).toBe('/cfg/config.yml');
  });

  it('reports missing keys as warnings, never with a secret', () => {
    const w = loaded.warnings.map((i) => `${i.path}: ${i.message}`);
    expect(w).toContain(
      'litellm.providers.anthropic.api_key: ANTHROPIC_API_KEY not set; deployments on "anthropic" are skipped',
    );
    expect(w.join('\n')).not.toMatch(/sk-openai|claude-k|codex-k/);
  });

  it('describeDeployments lists every chain entry with its key state', () => {
    expect(describeDeployments(loaded)).toEqual([
      {
        alias: 'default',
        provider: 'openai',
        model: 'gpt-4o',
        apiBase: 'https://api.openai.com/v1',
        key: 'set',
      },
      {
        alias: 'default',
        provider: 'gwdg_saia',
        model: 'llama-3.3-70b',
        apiBase: 'https://chat-ai.academiccloud.de/v1',
        key: 'set',
      },
      {
        alias: 'code',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        apiBase: 'https://api.anthropic.com/v1',
        key: 'missing',
      },
      {
        alias: 'code',
        provider: 'openai',
        model: 'gpt-4o',
        apiBase: 'https://api.openai.com/v1',
        key: 'set',
      },
      {
        alias: 'claude-*',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        apiBase: 'https://api.anthropic.com/v1',
        key: 'missing',
      },
    ]);
  });
});

describe('provider inference', () => {
  const load = (providers: string, env: Record<string, string> = {}) =>
    loadConfigText(`litellm:\n  providers:\n${providers}`, { env });

  it.each([
    ['groq', 'https://api.groq.com/openai/v1'],
    ['mistral', 'https://api.mistral.ai/v1'],
    ['deepseek', 'https://api.deepseek.com/v1'],
    ['openrouter', 'https://openrouter.ai/api/v1'],
    ['together', 'https://api.together.xyz/v1'],
  ])('%s is openai_compatible at %s', (name, base) => {
    const p = ok(load(`    ${name}: { api_key: k }\n`)).config.providers[name];
    expect(p).toMatchObject({ type: 'openai_compatible', apiBase: base, keyState: 'set', apiKey: 'k' });
  });

  it('gemini speaks the native API; openai_compatible at Google’s compatibility URL still works', () => {
    const p = ok(load('    gemini: { api_key: k }\n')).config.providers.gemini;
    expect(p).toMatchObject({
      type: 'gemini',
      apiBase: 'https://generativelanguage.googleapis.com/v1beta',
      keyState: 'set',
    });
    const compat = ok(
      load(
        '    gemini: { type: openai_compatible, api_base: https://generativelanguage.googleapis.com/v1beta/openai, api_key: k }\n',
      ),
    ).config.providers.gemini;
    expect(compat).toMatchObject({
      type: 'openai_compatible',
      apiBase: 'https://generativelanguage.googleapis.com/v1beta/openai',
    });
  });

  it('azure and vllm need api_base', () => {
    expect(lines(load('    azure: { api_key: k }\n    vllm: {}\n'))).toEqual([
      'litellm.providers.azure.api_base: required for azure providers',
      'litellm.providers.vllm.api_base: required for vllm providers',
    ]);
    const p = ok(load('    vllm: { api_base: "http://localhost:8000/v1/" }\n')).config.providers.vllm;
    expect(p).toMatchObject({
      type: 'openai_compatible',
      apiBase: 'http://localhost:8000/v1',
      keyState: 'not_needed',
    });
  });

  it('another name needs type, or gets openai_compatible from api_base', () => {
    expect(lines(load('    myproxy: { api_key: k }\n'))).toEqual([
      'litellm.providers.myproxy.type: cannot infer the type of provider "myproxy": set type (openai, anthropic, ollama, openai_compatible, bedrock, azure, gemini, vertex_ai) or api_base',
    ]);
    const c = ok(
      load(
        '    lan: { api_base: "https://llm.lan:8443/v1///", api_key: k }\n' +
          '    proxy: { type: anthropic, api_base: "https://proxy.example/v1" }\n' +
          '    work_openai: { type: openai }\n',
      ),
    ).config;
    expect(c.providers.lan).toMatchObject({ type: 'openai_compatible', apiBase: 'https://llm.lan:8443/v1' });
    expect(c.providers.proxy).toMatchObject({
      type: 'anthropic',
      apiBase: 'https://proxy.example/v1',
      keyState: 'missing',
    });
    expect(c.providers.work_openai).toMatchObject({ type: 'openai', apiBase: 'https://api.openai.com/v1' });
  });

  it('decides the key state: set, missing, or not needed for ollama and loopback servers', () => {
    const c = ok(
      load(
        '    ollama:\n' + // empty entry
          '    local: { api_base: "http://127.0.0.1:8080/v1" }\n' +
          '    local6: { api_base: "http://[::1]:8080/v1" }\n' +
          '    remote: { api_base: "https://llm.example.com/v1" }\n' +
          '    keyed_local: { api_base: "http://localhost:4001/v1", api_key: "${LOCAL_KEY}" }\n' +
          '    openai: {}\n' +
          '    anthropic: { api_key: "os.environ/MY_ANTHROPIC" }\n',
        { OPENAI_API_KEY: 'implicit', MY_ANTHROPIC: 'a-key' },
      ),
    ).config.providers;
    expect(c.ollama).toMatchObject({
      type: 'ollama',
      apiBase: 'http://127.0.0.1:11434/v1',
      keyState: 'not_needed',
    });
    expect(c.local.keyState).toBe('not_needed');
    expect(c.local6.keyState).toBe('not_needed');
    expect(c.remote.keyState).toBe('missing');
    expect(c.keyed_local).toMatchObject({ keyState: 'missing', missingEnv: ['LOCAL_KEY'] });
    // A well-known provider without api_key reads its conventional variable.
    expect(c.openai).toMatchObject({ keyState: 'set', apiKey: 'implicit' });
    expect(c.anthropic).toMatchObject({ keyState: 'set', apiKey: 'a-key' });
  });

  it('marks an implicit key variable as missing by name', () => {
    const p = ok(load('    groq: {}\n')).config.providers.groq;
    expect(p).toMatchObject({ keyState: 'missing', missingEnv: ['GROQ_API_KEY'] });
  });

  it('keeps headers (expanded) and timeout', () => {
    const p = ok(
      load('    openai: { api_key: k, headers: { OpenAI-Organization: "${ORG}" }, timeout: 30 }\n', {
        ORG: 'org-1',
      }),
    ).config.providers.openai;
    expect(p).toMatchObject({ headers: { 'OpenAI-Organization': 'org-1' }, timeoutS: 30 });
  });
});

describe('deployments and aliases', () => {
  it('camelCases every optional chain-entry field and omits the absent ones', () => {
    const text = `litellm:
  providers: { openai: { api_key: k } }
  models:
    "gpt-?":
      - provider: openai
        model: gpt-4o
        weight: 2
        timeout: 30
        max_tokens: 4096
        context_window: 128000
        input_cost_per_token: 0.0000025
        output_cost_per_token: 0.00001
        cache_read_input_token_cost: 0.00000125
        cache_creation_input_token_cost: 0.000003
        rpm: 100
        tpm: 100000
        params: { temperature: 0.2, stop: null }
      - { provider: openai, model: gpt-4o-mini }
    plain-name:
      - { provider: openai, model: gpt-4o }
`;
    const models = ok(loadConfigText(text, { env: {} })).config.models;
    expect(models.map((m) => [m.name, m.glob])).toEqual([
      ['gpt-?', true],
      ['plain-name', false],
    ]);
    const [full, bare] = models[0].deployments;
    const { provider: _p, ...rest } = full;
    expect(rest).toEqual({
      id: 'openai/gpt-4o',
      alias: 'gpt-?',
      index: 0,
      model: 'gpt-4o',
      weight: 2,
      timeoutS: 30,
      maxTokens: 4096,
      contextWindow: 128000,
      inputCostPerToken: 0.0000025,
      outputCostPerToken: 0.00001,
      cacheReadCostPerToken: 0.00000125,
      cacheWriteCostPerToken: 0.000003,
      rpm: 100,
      tpm: 100000,
      params: { temperature: 0.2, stop: null },
    });
    expect(Object.keys(bare).sort()).toEqual(['alias', 'id', 'index', 'model', 'provider']);
  });

  it('accepts numbers and booleans that arrive as strings from ${VAR}', () => {
    const text = `litellm:
  port: \${PORT}
  enabled: \${ENABLED:-false}
  router: { timeout: "\${TIMEOUT:-45}", num_retries: \${RETRIES} }
`;
    const c = ok(loadConfigText(text, { env: { PORT: '5005' } })).config;
    expect(c.port).toBe(5005);
    expect(c.enabled).toBe(false);
    expect(c.router.timeoutS).toBe(45);
    expect(c.router.numRetries).toBe(3); // missing variable → absent → default
  });

  it('takes a YAML number where a string belongs as its text', () => {
    const text =
      'litellm:\n  providers: { ollama: {} }\n  models: { a: [{ provider: ollama, model: 3.5 }] }\n  keys: { k: { key: 12345 } }\n';
    const c = ok(loadConfigText(text, { env: {} })).config;
    expect(c.models[0].deployments[0].model).toBe('3.5');
    expect(c.keys?.k.key).toBe('12345');
  });
});

describe('sections', () => {
  it('an empty litellm: section gets all defaults and no models', () => {
    const loaded = ok(loadConfigText('litellm:\n', { path: '/x.yml', env: {} }));
    expect(loaded.config).toMatchObject({
      enabled: true,
      port: 4000,
      host: '127.0.0.1',
      providers: {},
      models: [],
    });
    expect(loaded.warnings.map((w) => w.path)).toEqual(['litellm.models']);
  });

  it('a file without litellm: (and not a LiteLLM proxy file) is an error saying what it has and what to do', () => {
    const r = loadConfigText('other:\n  feature: { x: "${NOT_EXPANDED}" }\n', { path: '/x.yml', env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].path).toBe('/x.yml');
    expect(r.errors[0].message).toMatch(
      /^it has the top-level key other but no litellm: section, so it configures no gateway\./,
    );
    expect(r.errors[0].message).toContain('agentbox config init');
    expect(r.errors[0].message).toContain('model_list:');
  });

  it('an empty file is an error too, never the embedded defaults', () => {
    const r = loadConfigText('', { path: '/x.yml', env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toMatch(/^the file is empty, so it configures no gateway/);
  });

  it('a master_key allows a non-loopback host', () => {
    const c = ok(
      loadConfigText('litellm:\n  host: 0.0.0.0\n  master_key: ${MK}\n', { env: { MK: 'secret' } }),
    ).config;
    expect(c).toMatchObject({ host: '0.0.0.0', masterKey: 'secret' });
  });

  it('port precedence: --port over LITELLM_PORT over the file over 4000', () => {
    const text = 'litellm:\n  port: 5000\n';
    expect(ok(loadConfigText('litellm: {}\n', { env: {} })).config.port).toBe(4000);
    expect(ok(loadConfigText(text, { env: {} })).config.port).toBe(5000);
    expect(ok(loadConfigText(text, { env: { LITELLM_PORT: '6000' } })).config.port).toBe(6000);
    expect(ok(loadConfigText(text, { env: { LITELLM_PORT: '6000' }, port: 7000 })).config.port).toBe(7000);
    expect(ok(loadConfigText(text, { env: { LITELLM_PORT: '' } })).config.port).toBe(5000);
    expect(lines(loadConfigText(text, { env: { LITELLM_PORT: 'abc' } }))).toEqual([
      'LITELLM_PORT: expected a port 0..65535, got "abc"',
    ]);
  });

  it('a redis cache without redis_url falls back to memory with a warning', () => {
    const loaded = ok(loadConfigText('litellm:\n  cache: { type: redis }\n', { env: {} }));
    expect(loaded.config.cache).toEqual({ type: 'memory', ttlS: 300, maxEntries: 1000 });
    expect(loaded.warnings.map((w) => w.path)).toContain('litellm.cache.type');
    const c = ok(
      loadConfigText('litellm:\n  redis_url: ${R}\n  cache: { type: redis, ttl: 60 }\n', {
        env: { R: 'redis://h' },
      }),
    );
    expect(c.config).toMatchObject({
      redisUrl: 'redis://h',
      cache: { type: 'redis', ttlS: 60, maxEntries: 1000 },
    });
  });
});

describe('errors', () => {
  it('reports every problem at once with exact paths', () => {
    const text = `litellm:
  port: 99999
  host: 0.0.0.0
  timout: 3
  providers:
    openai: { api-key: x }
  models:
    default:
      - { provider: openai, model: gpt-4o }
      - { provider: gwdg, model: llama }
    empty: []
    "gpt-4.1":
      - { provider: openai }
  router: { num_retries: -1, timeout: "abc" }
  keys:
    a: { key: same }
    b: { key: same }
  cache: { type: disk }
`;
    const errs = lines(loadConfigText(text, { path: 'c.yml', env: {} }));
    expect(errs.sort()).toEqual(
      [
        'litellm.port: port must be 0..65535',
        'litellm.host: "0.0.0.0" is not a loopback address; set master_key to listen on it',
        'litellm.timout: unknown key (expected one of: enabled, port, host, master_key, providers, models, fallbacks, router, routes, keys, budgets, rate_limits, cache, redis_url, otel, mcp, allowed_hosts, allowed_origins, drop_params, max_body_bytes, model_labels)',
        'litellm.providers.openai.api-key: unknown key (did you mean "api_key"?)',
        'litellm.models.default[1].provider: unknown provider "gwdg"',
        'litellm.models.empty: empty chain: list at least one {provider, model}',
        'litellm.models["gpt-4.1"][0].model: required (string)',
        'litellm.router.num_retries: must be >= 0',
        'litellm.router.timeout: expected number, received string',
        'litellm.keys.b.key: same value as litellm.keys.a.key',
        'litellm.cache.type: expected one of: memory, redis',
      ].sort(),
    );
  });

  it('reports the unknown provider exactly as the contract shows, also in an otherwise valid file', () => {
    const text = `litellm:
  providers: { openai: { api_key: k } }
  models:
    default:
      - { provider: openai, model: gpt-4o }
      - { provider: gwdg, model: llama-3.3-70b }
`;
    expect(lines(loadConfigText(text, { env: {} }))).toEqual([
      'litellm.models.default[1].provider: unknown provider "gwdg"',
    ]);
  });

  it('names typos in nested objects', () => {
    const text =
      'litellm:\n  router: { num_retry: 2 }\n  fallbacks: { on_ratelimit: false }\n  models:\n    a:\n      - { provider: p, modle: m }\n';
    const errs = lines(loadConfigText(text, { env: {} }));
    expect(errs).toContain('litellm.router.num_retry: unknown key (did you mean "num_retries"?)');
    expect(errs).toContain('litellm.fallbacks.on_ratelimit: unknown key (did you mean "on_rate_limit"?)');
    expect(errs).toContain('litellm.models.a[0].modle: unknown key (did you mean "model"?)');
    expect(errs).toContain('litellm.models.a[0].model: required (string)');
    expect(errs).toContain('litellm.models.a[0].provider: unknown provider "p"');
  });

  it('a virtual key may not reuse master_key', () => {
    const text = 'litellm:\n  master_key: ${MK}\n  keys: { a: { key: "${MK}" } }\n';
    expect(lines(loadConfigText(text, { env: { MK: 'same' } }))).toEqual([
      'litellm.keys.a.key: same value as litellm.master_key',
    ]);
  });

  it('a non-loopback host whose master_key variable is missing says which variable', () => {
    const text = 'litellm:\n  host: 0.0.0.0\n  master_key: ${AGENTBOX_MASTER_KEY}\n';
    expect(lines(loadConfigText(text, { env: {} }))).toEqual([
      'litellm.host: "0.0.0.0" is not a loopback address; set master_key to listen on it (AGENTBOX_MASTER_KEY is not set)',
    ]);
  });

  it('YAML syntax errors carry file, line and column', () => {
    const r = loadConfigText('litellm:\n  port: 1\n  models: [\n', { path: '/etc/c.yml', env: {} });
    expect(r.ok).toBe(false);
    const errs = lines(r);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0]).toMatch(/^\/etc\/c\.yml:\d+:\d+: YAML: /);
    expect(lines(loadConfigText('litellm:\n  port: 1\n  port: 2\n', { path: 'c.yml', env: {} }))).toEqual([
      'c.yml:3:3: YAML: Map keys must be unique',
    ]);
  });

  it('keeps columns right next to ${VAR} placeholders and shows the original text', () => {
    // The `]` is in column 31 of the original line.
    const errs = lines(
      loadConfigText('litellm:\n  providers:\n    openai: { api_key: ${KEY} ]\n', { path: 'c.yml', env: {} }),
    );
    expect(errs.join('\n')).not.toMatch(/[\uE000-\uF8FF]/);
    expect(errs[0]).toMatch(/^c\.yml:3:31: YAML: /);
  });

  it('YAML errors do not quote the offending token (it may be a literal key)', () => {
    // A stray `{` makes the parser complain about every token after it, the key included.
    const text =
      'litellm:\n  providers:\n    openai: { api_key: $ {OPENAI} }\n    gwdg: { api_key: sk-live-9 }\n';
    const errs = lines(loadConfigText(text, { path: 'c.yml', env: {} }));
    expect(errs[0]).toBe('c.yml:3:26: YAML: Unexpected flow-map-start at node end');
    expect(errs.join('\n')).not.toMatch(/sk-live/);
    expect(errs.length).toBeLessThanOrEqual(6);
  });

  it('a top level that is not a mapping is an error', () => {
    expect(lines(loadConfigText('- a\n- b\n', { env: {} }))).toEqual([
      '(root): expected a mapping with a litellm: section',
    ]);
  });

  it('missing keys are warnings, not errors', () => {
    const r = loadConfigText(
      'litellm:\n  providers:\n    openai: { api_key: ${NOPE} }\n  models: { a: [{ provider: openai, model: m }] }\n',
      { env: {} },
    );
    expect(ok(r).warnings).toEqual([
      {
        path: 'litellm.providers.openai.api_key',
        message: 'NOPE not set; deployments on "openai" are skipped',
      },
    ]);
  });
});
