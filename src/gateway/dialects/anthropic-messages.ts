import type { ClientDialect } from './types.js';
import type { GatewayError } from '../errors.js';
import { decodeAnthropicRequest } from './anthropic-decode.js';
import { invalid, isObject } from './anthropic-decode-blocks.js';
import { encodeAnthropicResponse, gatewayErrorPayload } from './anthropic-encode.js';
import { createAnthropicStreamEncoder } from './anthropic-stream.js';
import { messagesTraits } from './request-traits.js';

/**
 * The cheap checks every Messages request gets, passthrough included: an object with a string
 * `model` and an array `messages`. `max_tokens`, which Anthropic requires, may be missing (it is
 * defaulted on the way upstream) but must be a positive number when present.
 */
export function validateAnthropicRequest(body: unknown): { model: string; stream: boolean } {
  if (!isObject(body)) throw invalid('request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.length === 0) {
    throw invalid('model: a non-empty string is required', 'model');
  }
  if (!Array.isArray(body.messages)) throw invalid('messages: an array is required', 'messages');
  const max = body.max_tokens;
  if (max !== undefined && (typeof max !== 'number' || !Number.isFinite(max) || max < 1)) {
    throw invalid('max_tokens: must be a positive number', 'max_tokens');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw invalid('stream: must be a boolean', 'stream');
  }
  return { model: body.model, stream: body.stream === true };
}

/** The Anthropic Messages API as clients (Claude Code, the Anthropic SDK) speak it to the gateway. */
export const anthropicMessagesDialect: ClientDialect = {
  name: 'anthropic-messages',
  validate: validateAnthropicRequest,
  traits: messagesTraits,
  decodeRequest: decodeAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  streamEncoder: createAnthropicStreamEncoder,
  errorBody: (err: GatewayError) => gatewayErrorPayload(err),
};
