import type { CanonicalRequest } from '../../canonical.js';
import type { Deployment } from '../../../config/types.js';
import { anthropicMessagesCodec } from '../anthropic/codec.js';
import { buildAnthropicRequest } from '../anthropic/request.js';
import type { WireCodec } from '../types.js';
import { converseToMessages, createConverseStreamMapper } from './converse-response.js';
import { messagesToConverse } from './converse-request.js';
import { eventStreamDecoder } from './aws-libs.js';
import { unwrapInvokeChunk } from './invoke-chunk.js';

/** The Messages body version Bedrock's Anthropic models take. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

const modelPath = (d: Deployment): string => `/model/${encodeURIComponent(d.model)}`;

/**
 * Claude on Bedrock through InvokeModel (`/model/{id}/invoke`, streamed
 * `/invoke-with-response-stream`): the Messages body with `anthropic_version:
 * bedrock-2023-05-31`, the model in the path rather than the body, and no `stream` field. The
 * client's betas are added as `anthropic_beta` when the call is finalised (they come in a header).
 * Answers are Messages JSON, or Messages stream events wrapped in event-stream `chunk` frames.
 */
export const invokeCodec: WireCodec = {
  ...anthropicMessagesCodec,
  path: '/invoke',
  pathFor: (d, stream) => `${modelPath(d)}/${stream ? 'invoke-with-response-stream' : 'invoke'}`,
  buildRequest: (req, d) => toInvokeBody(buildAnthropicRequest(req, d)),
  rewriteForPassthrough: (body, d, params) =>
    toInvokeBody(anthropicMessagesCodec.rewriteForPassthrough(body, d, params)),
  frames: () => eventStreamDecoder(unwrapInvokeChunk),
};

function toInvokeBody(body: Record<string, unknown>): Record<string, unknown> {
  delete body.model;
  delete body.stream;
  body.anthropic_version = BEDROCK_ANTHROPIC_VERSION;
  return body;
}

/**
 * Converse / ConverseStream (`/model/{id}/converse`, `/converse-stream`) for any Bedrock model.
 * Requests are built through the Messages encoder (system folding, tool names, thinking rules) and
 * mapped onto Converse; answers are mapped back onto Messages shapes and read by its parsers.
 */
export const converseCodec: WireCodec = {
  dialect: 'bedrock-converse',
  path: '/converse',
  pathFor: (d, stream) => `${modelPath(d)}/${stream ? 'converse-stream' : 'converse'}`,
  buildRequest: (req: CanonicalRequest, d) =>
    messagesToConverse(buildAnthropicRequest({ ...req, stream: false }, d)),
  parseResponse: (body, req) =>
    anthropicMessagesCodec.parseResponse(converseToMessages(body as never, ''), req),
  streamParser(req) {
    const parse = anthropicMessagesCodec.streamParser(req);
    const map = createConverseStreamMapper('');
    return (ev) => {
      if (ev.event === 'error') return parse(ev);
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(ev.data) as Record<string, unknown>;
      } catch {
        return [];
      }
      return map(ev.event, payload).flatMap((m) => parse({ event: String(m.type), data: JSON.stringify(m) }));
    };
  },
  rewriteForPassthrough: (body) => body,
  frames: () => eventStreamDecoder(),
};
