import { emptyUsage, mergeUsage, type CanonicalEvent } from '../canonical.js';
import type { GatewayError } from '../errors.js';
import { encodeSse } from '../upstream/sse.js';
import { chatCompletionId, chatFinishReason, chatToolName, chatUsage } from './openai-chat-encode.js';
import { chatErrorBody } from './openai-chat-errors.js';
import type { EncodeContext, StreamEncoder } from './types.js';

const DONE = 'data: [DONE]\n\n';

interface ToolSlot {
  /** The `tool_calls[].index` the client sees: 0, 1, … in call order. */
  index: number;
  /** Custom tools: raw input fragments are wrapped as `{"input":"…"}` arguments on the fly. */
  custom: boolean;
}

/**
 * Canonical events → `chat.completion.chunk` SSE for one client stream. The first chunk carries
 * `role: 'assistant'`; a finish_reason chunk always precedes `[DONE]`; the usage chunk
 * (`choices: []`) is sent only when the client asked for it (`ctx.includeUsage`). After an error
 * nothing more is written, and never `[DONE]`.
 */
export function createChatStreamEncoder(ctx: EncodeContext): StreamEncoder<string> {
  let id = chatCompletionId(undefined, ctx.requestId);
  let roleSent = false;
  let finishSent = false;
  let closed = false;
  const tools = new Map<number, ToolSlot>();
  const usage = emptyUsage();

  function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
    if (!roleSent) {
      roleSent = true;
      delta = { role: 'assistant', ...delta };
    }
    return encodeSse({
      id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  function toolDelta(slot: ToolSlot, fields: Record<string, unknown>): string {
    return chunk({ tool_calls: [{ index: slot.index, ...fields }] });
  }

  function finish(stop: Parameters<typeof chatFinishReason>[0]): string {
    finishSent = true;
    return chunk({}, chatFinishReason(stop, tools.size > 0));
  }

  function event(ev: CanonicalEvent): string {
    switch (ev.type) {
      case 'start':
        id = chatCompletionId(ev.id, ctx.requestId);
        if (ev.usage) mergeUsage(usage, ev.usage);
        return roleSent ? '' : chunk({ content: '' });
      case 'block_start': {
        if (ev.block.type !== 'tool_use') return '';
        const slot: ToolSlot = { index: tools.size, custom: ev.block.kind === 'custom' };
        tools.set(ev.index, slot);
        const name = chatToolName(ev.block.name, ev.block.namespace);
        return toolDelta(slot, {
          id: ev.block.id,
          type: 'function',
          function: { name, arguments: slot.custom ? '{"input":"' : '' },
        });
      }
      case 'text_delta':
        return ev.text.length > 0 ? chunk({ content: ev.text }) : '';
      case 'thinking_delta':
        return ev.text.length > 0 ? chunk({ reasoning_content: ev.text }) : '';
      case 'tool_input_delta': {
        const slot = tools.get(ev.index);
        if (!slot || ev.partial.length === 0) return '';
        const args = slot.custom ? JSON.stringify(ev.partial).slice(1, -1) : ev.partial;
        return toolDelta(slot, { function: { arguments: args } });
      }
      case 'block_stop': {
        const slot = tools.get(ev.index);
        return slot?.custom ? toolDelta(slot, { function: { arguments: '"}' } }) : '';
      }
      case 'usage':
        mergeUsage(usage, ev.usage);
        return '';
      case 'stop':
        return finishSent ? '' : finish(ev.stopReason);
      case 'end': {
        closed = true;
        let out = finishSent ? '' : finish(null);
        if (ctx.includeUsage) {
          out += encodeSse({
            id,
            object: 'chat.completion.chunk',
            created: ctx.created,
            model: ctx.model,
            choices: [],
            usage: chatUsage(usage),
          });
        }
        return out + DONE;
      }
      case 'error':
        closed = true;
        return encodeSse({
          error: { message: ev.message, type: ev.errorType ?? 'api_error', param: null, code: null },
        });
      default:
        return '';
    }
  }

  return {
    event: (ev) => (closed ? '' : event(ev)),
    error(err: GatewayError): string {
      if (closed) return '';
      closed = true;
      return encodeSse(chatErrorBody(err));
    },
  };
}
