import type { Deployment } from '../../../config/types.js';
import type { WireCodec } from '../../providers/types.js';
import { decodeGeminiResponse, createGeminiStreamParser } from './decode-response.js';
import { encodeGeminiRequest } from './encode-request.js';
import type { GeminiGenerationConfig } from './types.js';

/**
 * The Gemini wire as a provider speaks it. The model and the streaming choice live in the URL, so
 * each provider that speaks it (Google AI, Vertex AI) gives the path for a deployment.
 */
export function createGeminiCodec(pathFor: (d: Deployment, stream: boolean) => string): WireCodec {
  return {
    dialect: 'gemini',
    path: '',
    pathFor,
    buildRequest(req, d) {
      const body = encodeGeminiRequest(req, d.maxTokens);
      applyParams(body as Record<string, unknown>, d);
      return body as Record<string, unknown>;
    },
    parseResponse: decodeGeminiResponse,
    streamParser: createGeminiStreamParser,
    /**
     * Passthrough of a Gemini client's body: the deployment's `params` merged under
     * `generationConfig` (the client's values win), `maxOutputTokens` clamped. The model is the
     * URL's; a `model` field in the body is dropped so it cannot contradict it.
     */
    rewriteForPassthrough(body, d) {
      delete body.model;
      applyParams(body, d);
      const cap = d.maxTokens;
      if (cap !== undefined) {
        // A copy: nested objects of the client's body are never changed in place.
        const gc = { ...(body.generationConfig as GeminiGenerationConfig | undefined) };
        if (typeof gc.maxOutputTokens !== 'number' || gc.maxOutputTokens > cap) gc.maxOutputTokens = cap;
        body.generationConfig = gc;
      }
      return body;
    },
  };
}

/** A Gemini deployment's `params` are generationConfig fields; the request's own values win. */
function applyParams(body: Record<string, unknown>, d: Deployment): void {
  if (!d.params || Object.keys(d.params).length === 0) return;
  const gc = { ...(body.generationConfig as Record<string, unknown> | undefined) };
  for (const [k, v] of Object.entries(d.params)) if (gc[k] === undefined) gc[k] = v;
  body.generationConfig = gc;
}

/** `models/gemini-2.5-pro` and `gemini-2.5-pro` name the same model in a URL. */
export function modelSegment(model: string): string {
  return encodeURIComponent(model.replace(/^models\//, ''));
}

/** `:generateContent` or `:streamGenerateContent?alt=sse`. */
export function generateAction(stream: boolean): string {
  return stream ? ':streamGenerateContent?alt=sse' : ':generateContent';
}
