/**
 * LiteLLM's `model: <prefix>/<name>` → the agentbox provider type that serves it, one line per
 * prefix. `keyEnv` is the variable LiteLLM reads when the deployment gives no `api_key`;
 * `apiBase` where the provider lives when it gives no `api_base`; `base` how LiteLLM's
 * `api_base` is written for that provider (OpenAI-style bases are used as they are; Anthropic's and
 * Ollama's omit the `/v1` agentbox's include). A type this build has no adapter for leaves the
 * deployment `unsupported` (named at start, in `validate` and `status`) instead of dropping it.
 */
export interface LitellmPrefix {
  type: string;
  apiBase?: string;
  keyEnv?: string;
  base?: 'as_is' | 'append_v1';
  /** An OpenAI-compatible server that needs no key unless one is given. */
  keyless?: boolean;
  /** The provider finds its own endpoint (region, location) when no `api_base` is given. */
  ownEndpoint?: boolean;
}

export const LITELLM_PREFIXES: Readonly<Record<string, LitellmPrefix>> = {
  openai: { type: 'openai', apiBase: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY' },
  text_completion_openai: { type: 'openai', apiBase: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY' },
  anthropic: {
    type: 'anthropic',
    apiBase: 'https://api.anthropic.com/v1',
    keyEnv: 'ANTHROPIC_API_KEY',
    base: 'append_v1',
  },
  azure: { type: 'azure', keyEnv: 'AZURE_API_KEY' },
  gemini: { type: 'gemini', keyEnv: 'GEMINI_API_KEY', ownEndpoint: true },
  vertex_ai: { type: 'vertex_ai', ownEndpoint: true },
  bedrock: { type: 'bedrock', ownEndpoint: true },
  ollama: { type: 'ollama', apiBase: 'http://127.0.0.1:11434/v1', base: 'append_v1', keyless: true },
  ollama_chat: { type: 'ollama', apiBase: 'http://127.0.0.1:11434/v1', base: 'append_v1', keyless: true },
  groq: { type: 'openai_compatible', apiBase: 'https://api.groq.com/openai/v1', keyEnv: 'GROQ_API_KEY' },
  mistral: { type: 'openai_compatible', apiBase: 'https://api.mistral.ai/v1', keyEnv: 'MISTRAL_API_KEY' },
  deepseek: { type: 'openai_compatible', apiBase: 'https://api.deepseek.com/v1', keyEnv: 'DEEPSEEK_API_KEY' },
  openrouter: {
    type: 'openai_compatible',
    apiBase: 'https://openrouter.ai/api/v1',
    keyEnv: 'OPENROUTER_API_KEY',
  },
  together_ai: {
    type: 'openai_compatible',
    apiBase: 'https://api.together.xyz/v1',
    keyEnv: 'TOGETHERAI_API_KEY',
  },
  hosted_vllm: { type: 'openai_compatible', keyless: true },
};

/** Model names LiteLLM resolves without a prefix (its model map), by their first characters. */
const BARE_MODELS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(gpt-|chatgpt-|o\d|text-embedding-|davinci|babbage|ft:gpt-)/, 'openai'],
  [/^claude-/, 'anthropic'],
];

/** `openai/gpt-4o` → {prefix: openai, name: gpt-4o}; `gpt-4o` → the prefix LiteLLM infers, or none. */
export function splitModel(model: string): { prefix?: string; name: string } {
  const slash = model.indexOf('/');
  if (slash > 0) {
    const prefix = model.slice(0, slash);
    if (Object.hasOwn(LITELLM_PREFIXES, prefix)) return { prefix, name: model.slice(slash + 1) };
  }
  for (const [re, prefix] of BARE_MODELS) if (re.test(model)) return { prefix, name: model };
  return slash > 0 ? { prefix: undefined, name: model } : { name: model };
}

/** The prefix a model string names, known or not (`huggingface` for `huggingface/x`). */
export function writtenPrefix(model: string): string | undefined {
  const slash = model.indexOf('/');
  return slash > 0 ? model.slice(0, slash) : undefined;
}

/** LiteLLM's `api_base` → agentbox's (which includes the version path). */
export function agentboxApiBase(p: LitellmPrefix, apiBase: string): string {
  const trimmed = apiBase.trim().replace(/\/+$/, '');
  if (p.base !== 'append_v1') return trimmed;
  const base = trimmed.replace(/\/v1\/(messages|chat\/completions)$/, '/v1');
  return /\/v1$/.test(base) ? base : `${base}/v1`;
}
