import type { Deployment } from '../../../config/types.js';
import { createGeminiCodec, generateAction, modelSegment } from '../../wire/gemini/codec.js';
import { embeddingsFromGemini, embeddingsPath, embeddingsToGemini } from '../../wire/gemini/embeddings.js';
import { classifyGeminiError } from '../../wire/gemini/errors.js';
import type { ProviderAdapter } from '../types.js';

export const GEMINI_API_BASE = 'https://generativelanguage.googleapis.com/v1beta';

/** `POST {apiBase}/models/{model}:generateContent` (or `:streamGenerateContent?alt=sse`). */
export const geminiCodec = createGeminiCodec(
  (d, stream) => `/models/${modelSegment(d.model)}${generateAction(stream)}`,
);

/**
 * The provider's key as `x-goog-api-key` (never in the URL, where logs and proxies would see it;
 * never the client's), then the provider's configured headers.
 */
export function geminiHeaders(d: Deployment): Record<string, string> {
  const h: Record<string, string> = {};
  if (d.provider.apiKey) h['x-goog-api-key'] = d.provider.apiKey;
  if (d.provider.headers) for (const [k, v] of Object.entries(d.provider.headers)) h[k.toLowerCase()] = v;
  return h;
}

/** Google AI Studio / the Gemini API, natively. */
export const geminiAdapter: ProviderAdapter = {
  type: 'gemini',
  native: 'gemini',
  wires: { gemini: geminiCodec },
  defaultApiBase: GEMINI_API_BASE,
  needsKey: true,
  headers: geminiHeaders,
  classifyError: classifyGeminiError,
  embeddings: {
    path: '',
    translate: {
      path: (d) => embeddingsPath(d.model),
      request: (body, d) => embeddingsToGemini(body, d.model),
      response: embeddingsFromGemini,
    },
  },
};
