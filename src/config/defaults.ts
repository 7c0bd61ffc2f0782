import type { Env } from './env.js';

/**
 * The embedded defaults, used when there is no config file, in the same shape as the file's
 * `litellm:` section (so they go through the same loader, and `config init` can write them out):
 * a provider for each of OPENAI_API_KEY, ANTHROPIC_API_KEY and GWDG_API_KEY that is set, `ollama`
 * always, and the aliases `default`, `fast`, `code`, `reasoning` chained over those providers,
 * plus `claude-*` (the model names Claude Code sends) when Anthropic is available.
 */

export interface DefaultProvider {
  name: string;
  /** The variable whose presence enables this provider; none for ollama. */
  keyEnv?: string;
  /** The provider's entry in the file, keys as `${VAR}` references (never the values). */
  entry: Record<string, string>;
  /** What the entry is, for the commented template. */
  comment: string;
}

export const DEFAULT_PROVIDERS: readonly DefaultProvider[] = [
  {
    name: 'openai',
    keyEnv: 'OPENAI_API_KEY',
    entry: { api_key: '${OPENAI_API_KEY}' },
    comment: 'OpenAI (type and api_base inferred from the name)',
  },
  {
    name: 'anthropic',
    keyEnv: 'ANTHROPIC_API_KEY',
    entry: { api_key: '${ANTHROPIC_API_KEY}' },
    comment: 'Anthropic (type and api_base inferred from the name)',
  },
  {
    name: 'gwdg_saia',
    keyEnv: 'GWDG_API_KEY',
    entry: {
      type: 'openai_compatible',
      api_base: 'https://chat-ai.academiccloud.de/v1',
      api_key: '${GWDG_API_KEY}',
    },
    comment: 'GWDG SAIA / Academic Cloud, OpenAI-compatible',
  },
  {
    name: 'ollama',
    entry: { api_base: 'http://127.0.0.1:11434/v1' },
    comment: 'Ollama on this machine; needs no key',
  },
];

/** Alias → provider → model, in the order the chain tries them. */
export const DEFAULT_CHAINS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  default: [
    ['openai', 'gpt-4o'],
    ['anthropic', 'claude-sonnet-4-5'],
    ['gwdg_saia', 'llama-3.3-70b-instruct'],
    ['ollama', 'llama3.2'],
  ],
  fast: [
    ['openai', 'gpt-4o-mini'],
    ['anthropic', 'claude-haiku-4-5'],
    ['gwdg_saia', 'llama-3.3-70b-instruct'],
    ['ollama', 'llama3.2'],
  ],
  code: [
    ['anthropic', 'claude-sonnet-4-5'],
    ['openai', 'gpt-4o'],
    ['gwdg_saia', 'llama-3.3-70b-instruct'],
    ['ollama', 'llama3.2'],
  ],
  reasoning: [
    ['openai', 'o3-mini'],
    ['anthropic', 'claude-sonnet-4-5'],
    ['gwdg_saia', 'llama-3.3-70b-instruct'],
    ['ollama', 'llama3.2'],
  ],
  'claude-*': [
    ['anthropic', 'claude-sonnet-4-5'],
    ['openai', 'gpt-4o'],
    ['gwdg_saia', 'llama-3.3-70b-instruct'],
    ['ollama', 'llama3.2'],
  ],
};

/** Aliases that exist only when their first provider does. */
const NEEDS_FIRST: ReadonlySet<string> = new Set(['claude-*']);

export function availableDefaultProviders(env: Env): DefaultProvider[] {
  return DEFAULT_PROVIDERS.filter((p) => !p.keyEnv || Boolean(env[p.keyEnv]?.trim()));
}

/** The chains over the providers given, in file order; aliases whose chain would be empty are left out. */
export function defaultChains(
  available: readonly string[],
): Array<[string, Array<{ provider: string; model: string }>]> {
  const out: Array<[string, Array<{ provider: string; model: string }>]> = [];
  for (const [alias, chain] of Object.entries(DEFAULT_CHAINS)) {
    if (NEEDS_FIRST.has(alias) && !available.includes(chain[0][0])) continue;
    const entries = chain
      .filter(([p]) => available.includes(p))
      .map(([provider, model]) => ({ provider, model }));
    if (entries.length) out.push([alias, entries]);
  }
  return out;
}

/** The `litellm:` section the gateway runs on when there is no config file. */
export function defaultLitellmSection(env: Env): Record<string, unknown> {
  const available = availableDefaultProviders(env);
  return {
    enabled: true,
    port: 4000,
    host: '127.0.0.1',
    providers: Object.fromEntries(available.map((p) => [p.name, { ...p.entry }])),
    models: Object.fromEntries(defaultChains(available.map((p) => p.name))),
    fallbacks: { on_rate_limit: true, on_context_window: true, on_error: true },
    router: { num_retries: 3, timeout: 120, retry_after_seconds: 60, allowed_fails: 3, cooldown: 30 },
  };
}
