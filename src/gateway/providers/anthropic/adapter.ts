import type { Deployment } from '../../../config/types.js';
import type { ProviderAdapter } from '../types.js';
import { anthropicMessagesCodec } from './codec.js';
import { mergeBeta, withClientCredential } from './client-auth.js';
import { classifyAnthropicError } from './errors.js';
import { hasNativeStructuredOutput } from './structured-output.js';

/** What every translated request to an Anthropic model is held to (see request-params.ts). */
const ANTHROPIC_RULES = [
  'temperature 0..1',
  'extended thinking: temperature 1, top_p >= 0.95, max_tokens above the budget, no forced tool choice',
];

export function anthropicModelRules(model: string): string[] {
  return [
    ...ANTHROPIC_RULES,
    hasNativeStructuredOutput(model)
      ? 'structured output: native (output_config.format)'
      : 'structured output: a forced answer tool, unwrapped into text',
  ];
}

/** The API version sent when the client did not name one. */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Auth and protocol headers for Anthropic: the provider's key as `x-api-key` (never the client's),
 * the client's `anthropic-version` or the default, and the client's `anthropic-beta` list when it
 * sent one, merged with the betas the provider's headers configure. The other configured headers come
 * first; these win over them.
 */
export function anthropicHeaders(
  d: Deployment,
  client: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = { ...d.provider.headers };
  if (d.provider.apiKey) out['x-api-key'] = d.provider.apiKey;
  out['anthropic-version'] = single(client['anthropic-version']) ?? ANTHROPIC_VERSION;
  const beta = client['anthropic-beta'];
  let betaValue = Array.isArray(beta) ? beta.join(',') : beta;
  // Betas the provider's config adds are merged with the client's, never replacing them.
  const configured = Object.keys(out).find((k) => k.toLowerCase() === 'anthropic-beta');
  if (configured) {
    for (const b of out[configured].split(',')) betaValue = mergeBeta(betaValue, b.trim());
    delete out[configured];
  }
  if (betaValue) out['anthropic-beta'] = betaValue;
  return out;
}

function single(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s : undefined;
}

export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  native: 'anthropic-messages',
  wires: { 'anthropic-messages': anthropicMessagesCodec },
  defaultApiBase: 'https://api.anthropic.com/v1',
  needsKey: true,
  headers: anthropicHeaders,
  classifyError: classifyAnthropicError,
  finalize: (call, d, client) =>
    d.provider.auth === 'client' ? withClientCredential(call, d, client) : call,
  modelRules: anthropicModelRules,
};
