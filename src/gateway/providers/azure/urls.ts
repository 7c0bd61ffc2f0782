import type { Deployment } from '../../../config/types.js';

/**
 * Azure OpenAI's two URL shapes. An `api_base` ending in `/openai/v1` is the v1 API: the usual
 * OpenAI paths under it, the deployment named by the body's `model`. Any other `api_base` is the
 * resource endpoint (`https://NAME.openai.azure.com`): chat completions and embeddings live under
 * `/openai/deployments/{deployment}/…`, the Responses API at `/openai/responses`, each with the
 * provider's `api-version`.
 */
export function isV1Base(apiBase: string): boolean {
  return /\/openai\/v1$/.test(apiBase);
}

export function azurePath(
  d: Deployment,
  endpoint: '/chat/completions' | '/responses' | '/embeddings',
): string {
  if (isV1Base(d.provider.apiBase)) return endpoint;
  const version = `?api-version=${encodeURIComponent(d.provider.apiVersion ?? '')}`;
  if (endpoint === '/responses') return `/openai/responses${version}`;
  return `/openai/deployments/${encodeURIComponent(d.model)}${endpoint}${version}`;
}
