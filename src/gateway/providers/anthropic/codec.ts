import type { CanonicalEvent, CanonicalRequest, CanonicalResponse } from '../../canonical.js';
import type { SseEvent } from '../../upstream/sse.js';
import type { WireCodec } from '../types.js';
import { buildAnthropicRequest } from './request.js';
import { parseAnthropicResponse } from './response.js';
import { createAnthropicStreamParser } from './stream.js';
import { rewriteAnthropicPassthrough } from './passthrough.js';
import type { ToolContext } from './tool-names.js';
import { unwrapAnswer, unwrapAnswerStream } from './structured-output.js';

/**
 * The Anthropic Messages wire (`POST {apiBase}/messages`). `parseResponse` and `streamParser` take
 * the canonical request as an optional extra argument: with it, flattened namespace tool names and
 * custom-tool inputs are turned back into what the client declared.
 */
export interface AnthropicWireCodec extends WireCodec {
  parseResponse(body: unknown, req?: AnswerContext): CanonicalResponse;
  streamParser(req?: AnswerContext): (ev: SseEvent) => CanonicalEvent[];
}

/** What the parsers read from the request: its tools, and the structured output it asked for. */
type AnswerContext = ToolContext & Pick<CanonicalRequest, 'responseFormat'>;

export const anthropicMessagesCodec: AnthropicWireCodec = {
  dialect: 'anthropic-messages',
  path: '/messages',
  buildRequest: buildAnthropicRequest,
  parseResponse: (body, req) => unwrapAnswer(parseAnthropicResponse(body, req), req),
  streamParser: (req) => unwrapAnswerStream(createAnthropicStreamParser(req), req),
  rewriteForPassthrough: rewriteAnthropicPassthrough,
  // Usage is in message_start and message_delta, the end in message_stop; blocks carry only content.
  passthroughTap: (ev) => ev.event === undefined || !ev.event.startsWith('content_block_'),
};
