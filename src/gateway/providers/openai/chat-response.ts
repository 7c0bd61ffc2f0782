import { randomUUID } from 'node:crypto';
import type {
  CanonicalRequest,
  CanonicalResponse,
  ContentBlock,
  StopReason,
  ToolUseBlock,
} from '../../canonical.js';
import { GatewayError } from '../../errors.js';
import { stopReasonFromChat, usageFromChat } from './chat-usage.js';
import {
  newToolCallId,
  parseToolArguments,
  resolveToolName,
  toolLookup,
  unwrapCustomInput,
  type ToolLookup,
} from './tool-names.js';

type Obj = Record<string, unknown>;

/**
 * A Chat Completions JSON answer → canonical response. `req` (the request it answers) lets
 * namespaced and custom tool calls be split back into their canonical identity.
 */
export function parseChatResponse(body: unknown, req?: CanonicalRequest): CanonicalResponse {
  if (!body || typeof body !== 'object')
    throw new GatewayError('upstream_error', 'upstream answer is not a JSON object');
  const b = body as Obj;
  if (b.error && typeof b.error === 'object') {
    const msg = (b.error as Obj).message;
    throw new GatewayError('upstream_error', typeof msg === 'string' ? msg : 'upstream returned an error');
  }
  const choice = Array.isArray(b.choices) ? (b.choices[0] as Obj | undefined) : undefined;
  if (!choice || typeof choice !== 'object')
    throw new GatewayError('upstream_error', 'upstream answer has no choices');
  const message = (choice.message && typeof choice.message === 'object' ? choice.message : {}) as Obj;

  const content: ContentBlock[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning.length > 0)
    content.push({ type: 'thinking', text: reasoning });
  const text = messageText(message.content);
  const refusal =
    typeof message.refusal === 'string' && message.refusal.length > 0 ? message.refusal : undefined;
  if (text.length > 0) content.push({ type: 'text', text });
  else if (refusal) content.push({ type: 'text', text: refusal });
  let calls = 0;
  if (Array.isArray(message.tool_calls)) {
    const lookup = toolLookup(req?.tools);
    for (const tc of message.tool_calls) {
      const block = toolUse(tc as Obj, lookup);
      if (block) {
        content.push(block);
        calls++;
      }
    }
  }

  let stopReason: StopReason | null = null;
  if (typeof choice.finish_reason === 'string') {
    stopReason = stopReasonFromChat(choice.finish_reason);
    // Some compatible servers answer tool calls with finish_reason "stop".
    if (stopReason === 'end_turn' && calls > 0) stopReason = 'tool_use';
    if (stopReason === 'end_turn' && refusal && text.length === 0) stopReason = 'refusal';
  }
  const res: CanonicalResponse = {
    id: typeof b.id === 'string' && b.id.length > 0 ? b.id : `chatcmpl-${randomUUID()}`,
    model: typeof b.model === 'string' ? b.model : '',
    content,
    stopReason,
  };
  const usage = usageFromChat(b.usage);
  if (usage) res.usage = usage;
  return res;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const p of content) if (p && typeof (p as Obj).text === 'string') out += (p as Obj).text as string;
  return out;
}

function toolUse(tc: Obj, lookup: ToolLookup | undefined): ContentBlock | undefined {
  if (!tc || typeof tc !== 'object') return undefined;
  const id = typeof tc.id === 'string' && tc.id.length > 0 ? tc.id : newToolCallId();
  if (tc.type === 'custom' && tc.custom && typeof tc.custom === 'object') {
    const c = tc.custom as Obj;
    const ref = resolveToolName(String(c.name ?? ''), lookup);
    return withIdentity(
      { type: 'tool_use', id, name: ref.name, input: String(c.input ?? ''), kind: 'custom' },
      ref.namespace,
    );
  }
  const fn = (tc.function && typeof tc.function === 'object' ? tc.function : {}) as Obj;
  const ref = resolveToolName(String(fn.name ?? ''), lookup);
  if (ref.kind === 'custom') {
    const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? '');
    return withIdentity(
      { type: 'tool_use', id, name: ref.name, input: unwrapCustomInput(args), kind: 'custom' },
      ref.namespace,
    );
  }
  return withIdentity(
    { type: 'tool_use', id, name: ref.name, input: parseToolArguments(fn.arguments) },
    ref.namespace,
  );
}

function withIdentity(block: ToolUseBlock, namespace: string | undefined): ToolUseBlock {
  if (namespace) block.namespace = namespace;
  return block;
}
