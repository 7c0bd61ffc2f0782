import type { CanonicalEvent, CanonicalRequest, CanonicalResponse } from '../../canonical.js';
import type { SseEvent } from '../../upstream/sse.js';
import type { ProviderType } from '../../../config/types.js';
import type { WireCodec } from '../types.js';
import { applyDeploymentDefaults, buildChatBody } from './chat-request.js';
import { parseChatResponse } from './chat-response.js';
import { createChatStreamParser } from './chat-stream.js';
import { applyChatPassthroughRules } from './chat-params.js';
import { strictParamSink } from '../../params/sink.js';

/** The WireCodec, with the optional request the answer belongs to. */
export interface ChatCodec extends WireCodec {
  parseResponse(body: unknown, req?: CanonicalRequest): CanonicalResponse;
  streamParser(req?: CanonicalRequest): (ev: SseEvent) => CanonicalEvent[];
}

/**
 * The Chat Completions wire (`/chat/completions`) as spoken by OpenAI and every OpenAI-compatible
 * server. `type` decides the provider-specific details (max_completion_tokens, reasoning_effort).
 *
 * `parseResponse` and `streamParser` take the canonical request being answered, when there is one,
 * to split namespaced (`<namespace>__<name>`) and custom tool calls back.
 */
export function createChatCodec(type: ProviderType): ChatCodec {
  return {
    dialect: 'openai-chat',
    path: '/chat/completions',
    buildRequest: (req, d, params) => buildChatBody(req, d, type, params),
    parseResponse: (body: unknown, req?: CanonicalRequest) => parseChatResponse(body, req),
    streamParser: (req?: CanonicalRequest) => createChatStreamParser(req),
    passthroughTap: chatTap,
    /**
     * Passthrough of a Chat client's body: set the model, merge the deployment's params under,
     * clamp max tokens, and for streams always ask for usage. Mutates and returns `body`.
     * Callers must read `body.stream_options?.include_usage` BEFORE calling this, to know whether
     * the client itself wants the usage chunk (and drop it from the stream when it did not).
     */
    rewriteForPassthrough(body, d, params = strictParamSink(d)) {
      body.model = d.model;
      applyDeploymentDefaults(body, d);
      applyChatPassthroughRules(body, d, type, params);
      if (body.stream === true) {
        const so = body.stream_options;
        body.stream_options =
          so && typeof so === 'object' && !Array.isArray(so)
            ? { ...so, include_usage: true }
            : { include_usage: true };
      }
      return body;
    },
  };
}

/**
 * A Chat chunk worth parsing in a passthrough stream: the end marker, a finish reason, usage or an
 * error. Inside JSON strings every quote is escaped, so these keys cannot match a model's text.
 */
const TAPPED = /"finish_reason"\s*:\s*"|"usage"\s*:\s*\{|"error"/;
function chatTap(ev: SseEvent): boolean {
  return ev.data === '[DONE]' || TAPPED.test(ev.data);
}
