import type { CanonicalResponse, StopReason, ToolUseBlock, Usage } from '../canonical.js';
import type { EncodeContext } from './types.js';

/**
 * Canonical → Chat Completions answer shapes, shared by the JSON and the stream encoders.
 * Namespaced tools are named `<namespace>__<name>`; custom tools are functions whose
 * arguments are `{"input": "<raw input>"}` (the same convention the OpenAI provider sends).
 */

export function chatCompletionId(upstreamId: string | undefined, requestId: string): string {
  return upstreamId?.startsWith('chatcmpl-') ? upstreamId : `chatcmpl-${requestId}`;
}

export function chatToolName(name: string, namespace?: string): string {
  return namespace ? `${namespace}__${name}` : name;
}

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function chatFinishReason(
  stop: StopReason | null | undefined,
  hadToolCalls: boolean,
): ChatFinishReason {
  switch (stop) {
    case 'max_tokens':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_use':
      return 'tool_calls';
    default:
      return hadToolCalls ? 'tool_calls' : 'stop';
  }
}

/** Canonical usage → Chat usage: `prompt_tokens` counts cache reads and writes back in. */
export function chatUsage(u: Partial<Usage> | undefined): Record<string, unknown> {
  const cacheRead = u?.cacheReadTokens ?? 0;
  const prompt = (u?.inputTokens ?? 0) + cacheRead + (u?.cacheWriteTokens ?? 0);
  const completion = u?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    completion_tokens_details: { reasoning_tokens: u?.reasoningTokens ?? 0 },
  };
}

function toolArguments(b: ToolUseBlock): string {
  if (b.kind === 'custom')
    return JSON.stringify({ input: typeof b.input === 'string' ? b.input : JSON.stringify(b.input) });
  return typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {});
}

export function encodeChatResponse(res: CanonicalResponse, ctx: EncodeContext): Record<string, unknown> {
  let text = '';
  let thinking = '';
  const toolCalls: unknown[] = [];
  for (const b of res.content) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'thinking') thinking += b.text;
    else if (b.type === 'tool_use') {
      toolCalls.push({
        id: b.id,
        type: 'function',
        function: { name: chatToolName(b.name, b.namespace), arguments: toolArguments(b) },
      });
    }
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text.length === 0 && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinking.length > 0) message.reasoning_content = thinking;
  return {
    id: chatCompletionId(res.id, ctx.requestId),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message,
        finish_reason: chatFinishReason(res.stopReason, toolCalls.length > 0),
        logprobs: null,
      },
    ],
    usage: chatUsage(res.usage),
  };
}
