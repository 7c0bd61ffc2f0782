import { randomUUID } from 'node:crypto';
import type { CanonicalEvent, CanonicalRequest } from '../../canonical.js';
import type { SseEvent } from '../../upstream/sse.js';
import { stopReasonFromChat, usageFromChat } from './chat-usage.js';
import { newToolCallId, resolveToolName, toolLookup, unwrapCustomInput } from './tool-names.js';

type Obj = Record<string, unknown>;

interface ToolState {
  block: number;
  id: string;
  /** Custom tools arrive as `{"input": …}` JSON: buffered and unwrapped when the block closes. */
  custom: boolean;
  buf: string;
}

type Open = { index: number; kind: 'text' | 'thinking' } | { index: number; kind: 'tool'; tool: ToolState };

/**
 * A fresh parser for one Chat Completions stream: `chat.completion.chunk` events → canonical
 * events. Only choice 0 is read. One JSON.parse per event and none for `[DONE]`. `req` (the
 * request being answered) lets namespaced and custom tool calls be split back.
 */
export function createChatStreamParser(req?: CanonicalRequest): (ev: SseEvent) => CanonicalEvent[] {
  const lookup = toolLookup(req?.tools);
  const tools = new Map<number, ToolState>();
  let started = false;
  let next = 0;
  let open: Open | undefined;
  let sawTools = false;

  function close(out: CanonicalEvent[]): void {
    if (!open) return;
    if (open.kind === 'tool' && open.tool.custom && open.tool.buf.length > 0) {
      out.push({ type: 'tool_input_delta', index: open.index, partial: unwrapCustomInput(open.tool.buf) });
      open.tool.buf = '';
    }
    out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  }

  function openBlock(kind: 'text' | 'thinking', out: CanonicalEvent[]): number {
    if (open?.kind === kind) return open.index;
    close(out);
    open = { index: next++, kind };
    out.push({ type: 'block_start', index: open.index, block: { type: kind } });
    return open.index;
  }

  function toolDelta(tc: Obj, position: number, out: CanonicalEvent[]): void {
    const key = typeof tc.index === 'number' ? tc.index : position;
    const fn = (tc.function && typeof tc.function === 'object' ? tc.function : {}) as Obj;
    const id = typeof tc.id === 'string' && tc.id.length > 0 ? tc.id : undefined;
    let st = tools.get(key);
    if (!st || (id !== undefined && id !== st.id)) {
      close(out);
      const ref = resolveToolName(typeof fn.name === 'string' ? fn.name : '', lookup);
      st = { block: next++, id: id ?? newToolCallId(), custom: ref.kind === 'custom', buf: '' };
      tools.set(key, st);
      sawTools = true;
      open = { index: st.block, kind: 'tool', tool: st };
      const block: Extract<CanonicalEvent, { type: 'block_start' }>['block'] = {
        type: 'tool_use',
        id: st.id,
        name: ref.name,
      };
      if (ref.kind === 'custom') block.kind = 'custom';
      if (ref.namespace) block.namespace = ref.namespace;
      out.push({ type: 'block_start', index: st.block, block });
    }
    const args = fn.arguments;
    if (typeof args !== 'string' || args.length === 0) return;
    if (st.custom) st.buf += args;
    else out.push({ type: 'tool_input_delta', index: st.block, partial: args });
  }

  return (ev) => {
    const data = ev.data;
    if (data.length < 16 && data.trim() === '[DONE]') {
      const out: CanonicalEvent[] = [];
      close(out);
      out.push({ type: 'end' });
      return out;
    }
    if (data.length === 0) return [];
    let chunk: Obj;
    try {
      chunk = JSON.parse(data) as Obj;
    } catch {
      return [{ type: 'error', message: 'upstream sent malformed JSON in its stream' }];
    }
    if (!chunk || typeof chunk !== 'object') return [];
    if (chunk.error && typeof chunk.error === 'object') return [errorEvent(chunk.error as Obj)];

    const out: CanonicalEvent[] = [];
    if (!started) {
      started = true;
      out.push({
        type: 'start',
        id: typeof chunk.id === 'string' && chunk.id.length > 0 ? chunk.id : `chatcmpl-${randomUUID()}`,
        model: typeof chunk.model === 'string' ? chunk.model : '',
      });
    }
    const choice = Array.isArray(chunk.choices) ? findChoice0(chunk.choices) : undefined;
    if (choice) {
      const delta = (choice.delta && typeof choice.delta === 'object' ? choice.delta : {}) as Obj;
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning.length > 0) {
        out.push({ type: 'thinking_delta', index: openBlock('thinking', out), text: reasoning });
      }
      const text =
        typeof delta.content === 'string' && delta.content.length > 0 ? delta.content : delta.refusal;
      if (typeof text === 'string' && text.length > 0) {
        out.push({ type: 'text_delta', index: openBlock('text', out), text });
      }
      if (Array.isArray(delta.tool_calls)) {
        delta.tool_calls.forEach((tc, i) => {
          if (tc && typeof tc === 'object') toolDelta(tc as Obj, i, out);
        });
      }
      if (typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0) {
        close(out);
        let stopReason = stopReasonFromChat(choice.finish_reason);
        if (stopReason === 'end_turn' && sawTools) stopReason = 'tool_use';
        out.push({ type: 'stop', stopReason });
      }
    }
    const usage = usageFromChat(chunk.usage);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  };
}

function findChoice0(choices: unknown[]): Obj | undefined {
  for (const c of choices) {
    if (c && typeof c === 'object' && ((c as Obj).index ?? 0) === 0) return c as Obj;
  }
  return undefined;
}

function errorEvent(err: Obj): CanonicalEvent {
  const ev: CanonicalEvent = {
    type: 'error',
    message: typeof err.message === 'string' ? err.message : 'upstream reported an error in its stream',
  };
  if (typeof err.type === 'string') ev.errorType = err.type;
  const status =
    typeof err.code === 'number' ? err.code : typeof err.status === 'number' ? err.status : undefined;
  if (status !== undefined && status >= 400 && status < 600) ev.status = status;
  return ev;
}
