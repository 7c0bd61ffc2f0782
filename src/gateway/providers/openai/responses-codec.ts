import type { WireCodec } from '../types.js';
import { applyResponsesDefaults, buildResponsesBody } from './responses-request.js';
import { parseResponsesResponse } from './responses-response.js';
import { createResponsesStreamParser } from './responses-stream.js';

/**
 * The Responses API wire (`/responses`) as OpenAI serves it. Mostly used for passthrough (a
 * Responses client such as Codex talking to an OpenAI deployment): the body keeps every field the
 * client sent, and the parsers only find the commit point and tap usage. Usage always arrives in
 * `response.completed`, so streams need no extra option.
 */
export const responsesCodec: WireCodec = {
  dialect: 'openai-responses',
  path: '/responses',
  buildRequest: (req, d) => buildResponsesBody(req, d),
  parseResponse: (body) => parseResponsesResponse(body),
  streamParser: () => createResponsesStreamParser(),
  /** Set the model, merge the deployment's params under, clamp max_output_tokens. Mutates and returns `body`. */
  // Deltas carry only content; usage and the end arrive in response.completed (or failed/incomplete).
  passthroughTap: (ev) => ev.event === undefined || !ev.event.endsWith('.delta'),
  rewriteForPassthrough(body, d) {
    body.model = d.model;
    applyResponsesDefaults(body, d);
    return body;
  },
};
