import { GatewayError } from '../../errors.js';
import { modelSegment } from './codec.js';

/**
 * OpenAI embeddings ↔ Gemini `:batchEmbedContents`. `dimensions` becomes `outputDimensionality`;
 * `encoding_format: base64` is honoured by encoding the float32 values here (Gemini returns
 * floats only). Token-array inputs and other fields have no Gemini form and are refused by name.
 */

const KNOWN = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

export function embeddingsPath(model: string): string {
  return `/models/${modelSegment(model)}:batchEmbedContents`;
}

export function embeddingsToGemini(body: Record<string, unknown>, model: string): Record<string, unknown> {
  for (const k of Object.keys(body))
    if (!KNOWN.has(k)) throw invalid(`${k}: not supported by Gemini embeddings`, k);
  const inputs = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]);
  const requests = inputs.map((text, i) => {
    if (typeof text !== 'string')
      throw invalid(`input[${i}]: Gemini embeddings take text, not token arrays`, `input[${i}]`);
    const r: Record<string, unknown> = {
      model: `models/${model.replace(/^models\//, '')}`,
      content: { parts: [{ text }] },
    };
    if (typeof body.dimensions === 'number') r.outputDimensionality = body.dimensions;
    return r;
  });
  const format = body.encoding_format;
  if (format !== undefined && format !== 'float' && format !== 'base64')
    throw invalid(
      `encoding_format: expected float or base64, got ${JSON.stringify(format)}`,
      'encoding_format',
    );
  return { requests };
}

/** Gemini's answer as an OpenAI embeddings list; `inputTokens` is the caller's count (Gemini reports none). */
export function embeddingsFromGemini(
  json: unknown,
  request: Record<string, unknown>,
  inputTokens: number,
): Record<string, unknown> {
  const list = (json as { embeddings?: Array<{ values?: number[] }> })?.embeddings;
  if (!Array.isArray(list)) throw new GatewayError('upstream_error', 'Gemini returned no embeddings');
  const base64 = request.encoding_format === 'base64';
  return {
    object: 'list',
    data: list.map((e, index) => ({
      object: 'embedding',
      index,
      embedding: base64
        ? Buffer.from(new Float32Array(e.values ?? []).buffer).toString('base64')
        : (e.values ?? []),
    })),
    model: request.model,
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  };
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}
