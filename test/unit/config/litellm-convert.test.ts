import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { formatIgnored } from '../../../src/config/litellm/ignored.js';
import type { LoadedConfig } from '../../../src/config/types.js';

/** LiteLLM proxy files (from LiteLLM's docs and repository, see each fixture's header) read as LiteLLM reads them. */

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/litellm/${name}`, import.meta.url), 'utf8');

const ENV = {
  OPENAI_API_KEY: 'sk-openai',
  ANTHROPIC_API_KEY: 'sk-ant',
  AZURE_API_BASE: 'http://127.0.0.1:9/v1',
  AZURE_API_KEY: 'az-key',
  AWS_REGION: 'us-east-1',
};

function load(text: string, env: Record<string, string> = ENV): LoadedConfig {
  const r = loadConfigText(text, { path: 'config.yaml', env });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.loaded;
}

const chains = (l: LoadedConfig) =>
  Object.fromEntries(
    l.config.models.map((a) => [
      a.name,
      a.deployments.map((d) =>
        [d.id, d.fallbackOn?.join('/') ?? '', d.unsupported ? 'unsupported' : d.provider.keyState].join(' '),
      ),
    ]),
  );

describe('LiteLLM docs: load balancing with fallbacks (proxy/configs)', () => {
  const l = load(fixture('docs-load-balancing.yaml'));

  it('reads each model_name as an alias, groups in file order, fallback groups after in LiteLLM order', () => {
    expect(l.format).toBe('litellm-proxy');
    expect(chains(l)).toEqual({
      'zephyr-beta': [
        'huggingface/HuggingFaceH4/zephyr-7b-beta  unsupported',
        'huggingface/HuggingFaceH4/zephyr-7b-beta  unsupported',
        'huggingface/HuggingFaceH4/zephyr-7b-beta  unsupported',
        'openai/gpt-4o rate_limit/error/content_policy set',
        'openai/gpt-3.5-turbo-16k context_window set',
      ],
      'gpt-4o': ['openai/gpt-4o  set', 'openai/gpt-3.5-turbo-16k context_window set'],
      'gpt-3.5-turbo-16k': ['openai/gpt-3.5-turbo-16k  set'],
      'gpt-4': ['openai/gpt-4o  set', 'openai/gpt-3.5-turbo-16k context_window set'],
    });
    expect(l.config.models[0].deployments[0].unsupported).toBe(
      'model_list[0]: agentbox has no provider for the huggingface/ prefix',
    );
  });

  it('maps router settings, rpm and the key; router_settings win over litellm_settings', () => {
    expect(l.config.router).toMatchObject({
      numRetries: 2,
      timeoutS: 30,
      allowedFails: 3,
      strategy: 'weighted',
    });
    expect(l.config.providers.openai).toMatchObject({
      type: 'openai',
      apiBase: 'https://api.openai.com/v1',
      apiKey: '<my-openai-key>',
    });
    const gpt4o = l.config.models[1].deployments[0];
    expect(gpt4o).toMatchObject({ rpm: 200, order: 1 });
    expect(l.config.models[1].deployments[1]).toMatchObject({ rpm: 100, order: 2 });
    expect(l.config.redisUrl).toBe('redis://:<your redis password>@<your redis host>:1992');
  });

  it('names exactly what it does not honour', () => {
    expect(l.ignored!.map(formatIgnored)).toEqual([
      'ignored: litellm_settings.num_retries 3: router_settings.num_retries wins',
      'ignored: litellm_settings.request_timeout 10: router_settings.timeout wins',
    ]);
  });
});

describe('LiteLLM docs: quick start (proxy/configs)', () => {
  const l = load(fixture('docs-quick-start.yaml'));

  it('enforces the master key, keeps unsupported providers in their chains, honours drop_params', () => {
    expect(l.config.masterKey).toBe('sk-1234');
    expect(l.config.dropParams).toBe(true);
    // Azure and Bedrock deployments are served by their own provider types; their keys
    // (os.environ/AZURE_API_KEY_EU, AWS credentials) are not in this environment.
    expect(chains(l)).toEqual({
      'gpt-4o': ['azure/gpt-4o-eu  missing', 'azure_2/gpt-4o-ca  missing'],
      'bedrock-claude-v1': ['bedrock/anthropic.claude-instant-v1  missing'],
      'anthropic-claude': ['bedrock_2/anthropic.claude-instant-v1  missing'],
      'vllm-models': ['openai/facebook/opt-125m  set'],
      '*': ['unresolved/*  unsupported'],
    });
    expect(l.config.providers.openai).toMatchObject({
      type: 'openai_compatible',
      apiBase: 'http://0.0.0.0:4000/v1',
      apiKey: 'none',
    });
    expect(l.config.models[3].deployments[0]).toMatchObject({ rpm: 1440, model: 'facebook/opt-125m' });
    // Bedrock is served: the region comes from aws_region_name, else from AWS_REGION.
    expect(l.config.models[1].deployments[0].unsupported).toBeUndefined();
    expect(l.config.providers.bedrock.region).toBe('us-east-1');
    expect(l.config.models[2].deployments[0].provider).toMatchObject({
      type: 'bedrock',
      region: 'us-east-1',
    });
  });

  it('names exactly what it does not honour', () => {
    expect(l.ignored!.map(formatIgnored)).toEqual([
      'ignored: model_list[4].model_info.version 2: agentbox does not read this model_info field',
      'ignored: litellm_settings.success_callback [langfuse]: agentbox has no callback integrations; use /metrics',
      'ignored: general_settings.alerting [slack]: agentbox has no alerting integrations; use /metrics',
    ]);
  });
});

describe('LiteLLM docs: context-window, content-policy and default fallbacks (proxy/reliability)', () => {
  const l = load(fixture('docs-reliability-fallbacks.yaml'));

  it('default_fallbacks serve every group without an entry; conditional lists only their failure kind', () => {
    expect(chains(l)).toEqual({
      'gpt-3.5-turbo-small': [
        'openai/chatgpt-v-2  set',
        'anthropic/claude-3-opus-20240229 rate_limit/error set',
        'openai_2/gpt-3.5-turbo-1106 context_window set',
        'anthropic/claude-3-opus-20240229 context_window set',
        'anthropic/claude-3-opus-20240229 content_policy set',
      ],
      'gpt-3.5-turbo-large': [
        'openai_2/gpt-3.5-turbo-1106  set',
        'anthropic/claude-3-opus-20240229 rate_limit/error set',
      ],
      'claude-opus': ['anthropic/claude-3-opus-20240229  set'],
    });
    expect(l.config.providers.openai).toMatchObject({
      type: 'openai_compatible',
      apiBase: 'http://127.0.0.1:9/v1',
      apiKey: 'az-key',
    });
    expect(l.config.providers.anthropic).toMatchObject({
      type: 'anthropic',
      apiBase: 'https://api.anthropic.com/v1',
      apiKey: 'sk-ant',
    });
    expect(l.ignored!.map(formatIgnored)).toEqual([
      'ignored: model_list[0].litellm_params.api_version 2023-07-01-preview: only azure providers take api_version (this one is openai_compatible)',
    ]);
  });
});

describe('LiteLLM repository example configs', () => {
  it('load_balancer.yaml: deployment-level rpm/tpm, a provider per distinct key, unused environment_variables named', () => {
    const l = load(fixture('repo-load-balancer.yaml'), { OPENROUTER_API_KEY: 'sk-or' });
    expect(chains(l)).toEqual({
      'gpt-3.5-turbo': [
        'openai/gpt-3.5-turbo  set',
        'openai_2/gpt-3.5-turbo  set',
        'openrouter/gpt-3.5-turbo  set',
      ],
      'mistral-7b-instruct': ['mistralai/mistral-7b-instruct  unsupported'],
    });
    expect(l.config.providers.openai.apiKey).toBe('sk-uj6F');
    expect(l.config.providers.openai_2.apiKey).toBe('sk-Imn');
    expect(l.config.providers.openrouter).toMatchObject({
      apiBase: 'https://openrouter.ai/api/v1',
      apiKey: 'sk-or',
    });
    expect(l.config.models[0].deployments[0]).toMatchObject({ rpm: 3, tpm: 20000 });
    expect(l.config.dropParams).toBe(true);
    expect(l.ignored!.map(formatIgnored)).toEqual([
      'ignored: environment_variables.REDIS_HOST localhost: nothing agentbox reads from this file refers to it',
      'ignored: environment_variables.REDIS_PASSWORD (set): nothing agentbox reads from this file refers to it',
      'ignored: environment_variables.REDIS_PORT 6329: nothing agentbox reads from this file refers to it',
    ]);
  });

  it('aliases_config.yaml: ollama deployments need no key; temperature and max_tokens become defaults', () => {
    const l = load(fixture('repo-aliases-config.yaml'), {});
    expect(chains(l)).toEqual({
      'text-davinci-003': ['ollama/zephyr  not_needed'],
      'gpt-4': ['ollama/llama2  not_needed'],
      'gpt-3.5-turbo': ['ollama/llama2  not_needed'],
    });
    expect(l.config.providers.ollama).toMatchObject({ type: 'ollama', apiBase: 'http://127.0.0.1:11434/v1' });
    expect(l.config.models[2].deployments[0].params).toEqual({ temperature: 0.1, max_tokens: 20 });
  });
});

describe('LiteLLM files: what is refused', () => {
  it('a master_key whose variable is unset refuses the start, naming the variable', () => {
    const r = loadConfigText(
      'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o }\ngeneral_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n',
      { path: 'c.yaml', env: { OPENAI_API_KEY: 'k' } },
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors).toEqual([
        {
          path: 'general_settings.master_key',
          message:
            'empty (LITELLM_MASTER_KEY is not set); this file requires a key for every request, so agentbox will not start without it',
        },
      ]);
  });

  it('access guards agentbox cannot enforce refuse the start; an unknown routing strategy is an error', () => {
    const r = loadConfigText(
      'model_list: []\ngeneral_settings:\n  master_key: sk-1\n  allowed_ips: ["10.0.0.1"]\n  custom_auth: custom_auth.user_api_key_auth\nrouter_settings:\n  routing_strategy: fastest\n',
      { path: 'c.yaml', env: {} },
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.path)).toEqual([
        'router_settings.routing_strategy',
        'general_settings.allowed_ips',
        'general_settings.custom_auth',
      ]);
  });

  it('environment_variables fill ${VAR}s, but the process environment wins', () => {
    const text =
      'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_key: os.environ/K, api_base: os.environ/B }\nenvironment_variables:\n  K: from-file\n  B: http://127.0.0.1:1/v1\n';
    expect(load(text, {}).config.providers.openai.apiKey).toBe('from-file');
    expect(load(text, { K: 'from-env' }).config.providers.openai.apiKey).toBe('from-env');
  });

  it('a literal ${ in a LiteLLM value is not expanded (LiteLLM would not)', () => {
    const l = load(
      'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o, api_key: "x${HOME}y" }\n',
      { HOME: '/root' },
    );
    expect(l.config.providers.openai.apiKey).toBe('x${HOME}y');
  });

  it('cache and redis: local → memory cache; redis cache_params → redis_url', () => {
    const l = load(
      'model_list: []\nlitellm_settings:\n  cache: true\n  cache_params: { type: redis, host: 127.0.0.1, port: 6390, password: os.environ/RP, ttl: 60, namespace: x }\n',
      { RP: 'pw' },
    );
    expect(l.config.cache).toEqual({ type: 'redis', ttlS: 60, maxEntries: 1000 });
    expect(l.config.redisUrl).toBe('redis://:pw@127.0.0.1:6390');
    expect(l.ignored!.map(formatIgnored)).toEqual([
      'ignored: litellm_settings.cache_params.namespace x: agentbox caches identical non-streaming requests; it has no such cache setting',
    ]);
  });

  it('fallbacks to a name that is no model_name are named, not dropped silently', () => {
    const l = load(
      'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o }\nrouter_settings:\n  fallbacks: [{a: [b]}, {c: [a]}]\n',
    );
    expect(l.ignored!.map(formatIgnored)).toEqual([
      'ignored: router_settings.fallbacks[0].a[0] b: no model_name "b" in model_list',
      'ignored: router_settings.fallbacks[1].c [a]: no model_name "c" in model_list',
    ]);
  });

  it('values of secret-looking keys are never shown in the ignored list', () => {
    const l = load(
      'model_list: []\ngeneral_settings:\n  database_url: postgresql://user:pw-123@db:5432/litellm\nlitellm_settings:\n  langfuse_secret: sk-lf-secret\n',
    );
    const text = l.ignored!.map(formatIgnored).join('\n');
    expect(text).toContain('general_settings.database_url (set)');
    expect(text).toContain('litellm_settings.langfuse_secret (set)');
    expect(text).not.toMatch(/pw-123|sk-lf-secret/);
  });
});

describe('router_settings.enable_pre_call_checks', () => {
  it('sets the capability and context-window checks before a call, as LiteLLM names them', () => {
    const text = (v: boolean) =>
      `model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o }\nrouter_settings:\n  enable_pre_call_checks: ${v}\n`;
    expect(load(text(false)).config.router.preCallChecks).toBe(false);
    expect(load(text(true)).config.router.preCallChecks).toBe(true);
    expect(load(text(false)).ignored ?? []).toEqual([]);
  });
});
