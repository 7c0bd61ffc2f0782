import type { ProviderType } from './types.js';

/**
 * Provider names agentbox recognises without a `type`: what they speak, where they live and which
 * environment variable holds their key when the file gives no `api_key`. An `apiBase` of undefined
 * means the user must set `api_base` (self-hosted or per-tenant endpoints).
 */
export interface WellKnownProvider {
  type: ProviderType;
  apiBase?: string;
  keyEnv?: string;
  /** A second variable consulted when `keyEnv` is unset. */
  altKeyEnv?: string;
}

export const WELL_KNOWN_PROVIDERS: Readonly<Record<string, WellKnownProvider>> = {
  openai: { type: 'openai', apiBase: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY' },
  anthropic: { type: 'anthropic', apiBase: 'https://api.anthropic.com/v1', keyEnv: 'ANTHROPIC_API_KEY' },
  ollama: { type: 'ollama', apiBase: 'http://127.0.0.1:11434/v1' },
  gemini: {
    type: 'gemini',
    apiBase: 'https://generativelanguage.googleapis.com/v1beta',
    keyEnv: 'GEMINI_API_KEY',
    altKeyEnv: 'GOOGLE_API_KEY',
  },
  azure: { type: 'azure', keyEnv: 'AZURE_API_KEY' },
  bedrock: { type: 'bedrock' },
  vertex_ai: { type: 'vertex_ai' },
  mistral: { type: 'openai_compatible', apiBase: 'https://api.mistral.ai/v1', keyEnv: 'MISTRAL_API_KEY' },
  groq: { type: 'openai_compatible', apiBase: 'https://api.groq.com/openai/v1', keyEnv: 'GROQ_API_KEY' },
  deepseek: { type: 'openai_compatible', apiBase: 'https://api.deepseek.com/v1', keyEnv: 'DEEPSEEK_API_KEY' },
  openrouter: {
    type: 'openai_compatible',
    apiBase: 'https://openrouter.ai/api/v1',
    keyEnv: 'OPENROUTER_API_KEY',
  },
  together: { type: 'openai_compatible', apiBase: 'https://api.together.xyz/v1', keyEnv: 'TOGETHER_API_KEY' },
  vllm: { type: 'openai_compatible' },
  gwdg_saia: {
    type: 'openai_compatible',
    apiBase: 'https://chat-ai.academiccloud.de/v1',
    keyEnv: 'GWDG_API_KEY',
  },
};

/** Where a provider of a given type lives when neither its name nor the file says. */
export const DEFAULT_API_BASE: Readonly<Partial<Record<ProviderType, string>>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  ollama: 'http://127.0.0.1:11434/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

export function wellKnownProvider(name: string): WellKnownProvider | undefined {
  return Object.hasOwn(WELL_KNOWN_PROVIDERS, name) ? WELL_KNOWN_PROVIDERS[name] : undefined;
}

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
