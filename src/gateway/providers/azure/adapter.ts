import type { Deployment } from '../../../config/types.js';
import { createChatCodec } from '../openai/chat-codec.js';
import { responsesCodec } from '../openai/responses-codec.js';
import type { ProviderAdapter, WireCodec } from '../types.js';
import { classifyAzureError } from './errors.js';
import { azurePath } from './urls.js';

const chat = createChatCodec('openai');

/** Azure OpenAI's Chat Completions wire: OpenAI's, at the deployment's URL. */
export const azureChatCodec: WireCodec = { ...chat, pathFor: (d) => azurePath(d, '/chat/completions') };
export const azureResponsesCodec: WireCodec = {
  ...responsesCodec,
  pathFor: (d) => azurePath(d, '/responses'),
};

/**
 * Azure's auth: an Entra ID token as a Bearer when the provider has `azure_ad_token`, else the key
 * in `api-key`. The provider's configured headers win (names lower-cased); the client's never go.
 */
export function azureHeaders(d: Deployment): Record<string, string> {
  const h: Record<string, string> = {};
  if (d.provider.adToken) h.authorization = `Bearer ${d.provider.adToken}`;
  else if (d.provider.apiKey) h['api-key'] = d.provider.apiKey;
  if (d.provider.headers) for (const [k, v] of Object.entries(d.provider.headers)) h[k.toLowerCase()] = v;
  return h;
}

export const azureAdapter: ProviderAdapter = {
  type: 'azure',
  native: 'openai-chat',
  wires: { 'openai-chat': azureChatCodec, 'openai-responses': azureResponsesCodec },
  defaultApiBase: '',
  needsKey: true,
  headers: azureHeaders,
  classifyError: (status, body, headers) => classifyAzureError(status, body, headers),
  embeddings: { path: '/embeddings', pathFor: (d) => azurePath(d, '/embeddings') },
};
