import type { Dialect } from '../../canonical.js';
import type { Deployment } from '../../../config/types.js';
import type { ProviderAdapter, WireCodec } from '../types.js';
import { createChatCodec } from './chat-codec.js';
import { classifyOpenAIError } from './classify-error.js';
import { openaiModelRules } from './chat-params.js';

export interface OpenAIAdapterOptions {
  type: 'openai' | 'openai_compatible' | 'ollama';
  defaultApiBase: string;
  needsKey: boolean;
  /** The Responses wire, offered for passthrough by `type: 'openai'` only. */
  responsesWire?: WireCodec;
}

export const OPENAI_API_BASE = 'https://api.openai.com/v1';
export const OLLAMA_API_BASE = 'http://127.0.0.1:11434/v1';

/** An adapter for a provider that speaks OpenAI Chat Completions natively. */
export function createOpenAIAdapter(opts: OpenAIAdapterOptions): ProviderAdapter {
  const wires: Partial<Record<Dialect, WireCodec>> = { 'openai-chat': createChatCodec(opts.type) };
  if (opts.type === 'openai' && opts.responsesWire) wires['openai-responses'] = opts.responsesWire;
  return {
    type: opts.type,
    native: 'openai-chat',
    wires,
    defaultApiBase: opts.defaultApiBase,
    needsKey: opts.needsKey,
    headers: openaiHeaders,
    classifyError: (status, body, headers) => classifyOpenAIError(status, body, headers),
    modelRules: (model) => openaiModelRules(opts.type, model),
    embeddings: { path: '/embeddings' },
  };
}

/**
 * The provider's own key as a Bearer token, then the provider's configured headers (which win,
 * names lower-cased). The client's headers, and so its key, are never forwarded.
 */
export function openaiHeaders(
  d: Deployment,
  _client?: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const h: Record<string, string> = {};
  if (d.provider.apiKey) h.authorization = `Bearer ${d.provider.apiKey}`;
  if (d.provider.headers) for (const [k, v] of Object.entries(d.provider.headers)) h[k.toLowerCase()] = v;
  return h;
}

export const openaiAdapter = createOpenAIAdapter({
  type: 'openai',
  defaultApiBase: OPENAI_API_BASE,
  needsKey: true,
});

/** Any OpenAI-compatible server; its `api_base` comes from the config. */
export const openaiCompatibleAdapter = createOpenAIAdapter({
  type: 'openai_compatible',
  defaultApiBase: '',
  needsKey: false,
});

export const ollamaAdapter = createOpenAIAdapter({
  type: 'ollama',
  defaultApiBase: OLLAMA_API_BASE,
  needsKey: false,
});
