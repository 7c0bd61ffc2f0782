import type { ClientDialect } from './types.js';
import type { GatewayError } from '../errors.js';
import { decodeAnthropicRequest } from './anthropic-decode.js';
import { invalid, isObject } from './anthropic-decode-blocks.js';
import { encodeAnthropicResponse, gatewayErrorPayload } from './anthropic-encode.js';
import { createAnthropicStreamEncoder } from './anthropic-stream.js';
import { messagesTraits } from './request-traits.js';
import { messagesOpaque } from './opaque-reasoning.js';

/**
 * The cheap checks every Messages request gets, passthrough included: an object with a string
 * `model`, an array `messages` and a positive `max_tokens`, which Anthropic requires. Checked here,
 * before a deployment is chosen, so the answer is the same whichever deployment would serve it.
 */
export function validateAnthropicRequest(body: unknown): { model: string; stream: boolean } {
  if (!isObject(body)) throw invalid('request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.length === 0) {
    throw invalid('model: a non-empty string is required', 'model');
  }
  if (!Array.isArray(body.messages)) throw invalid('messages: an array is required', 'messages');
  const max = body.max_tokens;
  if (max === undefined || max === null) throw invalid('max_tokens: Field required', 'max_tokens');
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    throw invalid('max_tokens: must be a positive integer', 'max_tokens');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw invalid('stream: must be a boolean', 'stream');
  }
  return { model: body.model, stream: body.stream === true };
}

/** The Anthropic Messages API as clients (Claude Code, the Anthropic SDK) speak it to the gateway. */
export const anthropicMessagesDialect: ClientDialect<string> = {
  name: 'anthropic-messages',
  validate: validateAnthropicRequest,
  traits: messagesTraits,
  decodeRequest: decodeAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  streamEncoder: createAnthropicStreamEncoder,
  errorBody: (err: GatewayError) => gatewayErrorPayload(err),
  opaque: messagesOpaque,
};
