/**
 * The OpenAI Responses API as clients speak it (Codex, the openai SDK's `responses.*`): request
 * checks and decoding, Response objects, the Responses SSE sequence, and OpenAI error envelopes.
 */
import type { CanonicalRequest, CanonicalResponse } from '../canonical.js';
import { GatewayError, OPENAI_TYPE } from '../errors.js';
import { decodeResponsesRequest } from './openai-responses-decode.js';
import { encodeResponsesResponse } from './openai-responses-encode.js';
import { isObject } from './openai-responses-items.js';
import { createResponsesStreamEncoder } from './openai-responses-stream.js';
import type { ClientDialect, EncodeContext, StreamEncoder } from './types.js';
import { responsesTraits } from './request-traits.js';
import { responsesOpaque } from './opaque-reasoning.js';

function validate(body: unknown): { model: string; stream: boolean } {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.length === 0) {
    throw new GatewayError('invalid_request', 'model must be a non-empty string', { param: 'model' });
  }
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw new GatewayError('invalid_request', 'input must be a string or an array of items', {
      param: 'input',
    });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw new GatewayError('invalid_request', 'stream must be a boolean', { param: 'stream' });
  }
  return { model: body.model, stream: body.stream === true };
}

export const openaiResponsesDialect: ClientDialect = {
  name: 'openai-responses',
  opaque: responsesOpaque,
  echoedMembers: ['instructions', 'tools'],
  validate,
  traits: responsesTraits,
  decodeRequest(body: Record<string, unknown>): CanonicalRequest {
    validate(body);
    return decodeResponsesRequest(body);
  },
  encodeResponse(res: CanonicalResponse, ctx: EncodeContext): unknown {
    return encodeResponsesResponse(res, ctx);
  },
  streamEncoder(ctx: EncodeContext): StreamEncoder {
    return createResponsesStreamEncoder(ctx);
  },
  errorBody(err: GatewayError): unknown {
    return { error: { message: err.message, type: OPENAI_TYPE[err.code], param: err.param, code: err.code } };
  },
};
