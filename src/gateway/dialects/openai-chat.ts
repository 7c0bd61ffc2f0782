import { GatewayError } from '../errors.js';
import type { SseEvent } from '../upstream/sse.js';
import { decodeChatRequest } from './openai-chat-decode.js';
import { encodeChatResponse } from './openai-chat-encode.js';
import { chatErrorBody } from './openai-chat-errors.js';
import { createChatStreamEncoder } from './openai-chat-stream.js';
import type { ClientDialect } from './types.js';
import { chatTraits } from './request-traits.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** What OpenAI Chat Completions clients (`/v1/chat/completions`) speak. */
export const openaiChatDialect: ClientDialect<string> = {
  name: 'openai-chat',
  validate: validateChatRequest,
  traits: chatTraits,
  decodeRequest: decodeChatRequest,
  encodeResponse: encodeChatResponse,
  streamEncoder: createChatStreamEncoder,
  errorBody: chatErrorBody,
  dropFromPassthrough: isUsageOnlyChunk,
};

/** The cheap checks every Chat request gets, passthrough included. */
export function validateChatRequest(body: unknown): { model: string; stream: boolean } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('invalid_request', 'request body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model.length === 0) {
    throw new GatewayError('invalid_request', "'model' is required and must be a non-empty string", {
      param: 'model',
    });
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw new GatewayError('invalid_request', "'messages' must be a non-empty array", { param: 'messages' });
  }
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as Record<string, unknown> | null;
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      throw new GatewayError('invalid_request', `messages[${i}] must be an object`, {
        param: `messages[${i}]`,
      });
    }
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
      throw new GatewayError(
        'invalid_request',
        `messages[${i}].role must be one of system, developer, user, assistant, tool; got ${JSON.stringify(m.role ?? null)}`,
        { param: `messages[${i}].role` },
      );
    }
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    throw new GatewayError('invalid_request', "'stream' must be a boolean", { param: 'stream' });
  }
  return { model: b.model, stream: b.stream === true };
}

const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/**
 * The usage chunk (`choices: []` plus usage) the gateway asks for on every passthrough stream;
 * dropped when the client did not ask for it itself.
 */
export function isUsageOnlyChunk(ev: SseEvent): boolean {
  if (!EMPTY_CHOICES.test(ev.data)) return false;
  try {
    const c = JSON.parse(ev.data) as { choices?: unknown[]; usage?: unknown };
    return Array.isArray(c.choices) && c.choices.length === 0 && c.usage != null;
  } catch {
    return false;
  }
}
