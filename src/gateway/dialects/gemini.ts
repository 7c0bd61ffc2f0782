import type { Dialect } from '../canonical.js';
import { GatewayError } from '../errors.js';
import { encodeSse } from '../upstream/sse.js';
import { decodeGeminiRequest } from '../wire/gemini/decode-request.js';
import { createGeminiChunkEncoder, encodeGeminiResponse } from '../wire/gemini/encode-response.js';
import { geminiErrorBody } from '../wire/gemini/errors.js';
import { geminiTraits } from './request-traits.js';
import type { ClientDialect } from './types.js';
import { geminiOpaque } from './opaque-reasoning.js';

const NAME: Dialect = 'gemini';

/**
 * The Gemini API as clients (Gemini CLI, the google-genai SDKs) speak it to the gateway. The model
 * and the choice to stream come from the URL (`models/{model}:streamGenerateContent`), so the
 * dialect is made per request with them.
 */
export function geminiDialect(model: string, stream: boolean): ClientDialect {
  return {
    name: NAME,
    validate: (body) => {
      validateGeminiBody(body);
      return { model, stream };
    },
    traits: geminiTraits,
    decodeRequest: (body) => decodeGeminiRequest(body, model, stream),
    encodeResponse: (res, ctx) => encodeGeminiResponse(res, ctx.model),
    streamEncoder(ctx) {
      const encode = createGeminiChunkEncoder(ctx.model);
      return {
        event: (ev) => {
          let out = '';
          for (const c of encode(ev)) out += encodeSse(c);
          return out;
        },
        error: (err) => encodeSse(geminiErrorBody(err)),
      };
    },
    errorBody: geminiErrorBody,
    opaque: geminiOpaque,
  };
}

/** For routes that fail before a model is known: only the error shape matters. */
export const geminiErrorDialect: ClientDialect = geminiDialect('', false);

/** The cheap checks every Gemini request gets, passthrough included. */
export function validateGeminiBody(body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalid('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.contents) || b.contents.length === 0)
    throw invalid('contents: a non-empty array is required', 'contents');
  b.contents.forEach((c, i) => {
    if (c === null || typeof c !== 'object' || !Array.isArray((c as { parts?: unknown }).parts))
      throw invalid(`contents[${i}]: an object with a parts array is required`, `contents[${i}]`);
    const role = (c as { role?: unknown }).role;
    if (role !== undefined && role !== 'user' && role !== 'model' && role !== 'function')
      throw invalid(
        `contents[${i}].role must be user or model, got ${JSON.stringify(role)}`,
        `contents[${i}].role`,
      );
  });
}

function invalid(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param ? { param } : {});
}
