import type { CanonicalEvent } from '../../canonical.js';
import type { SseEvent } from '../../upstream/sse.js';
import { partialUsageFromWire, stopReasonFromWire } from './mapping.js';
import { unwrapCustomInput } from './response.js';
import { createToolNames, type ToolContext } from './tool-names.js';

/** Anthropic error types that mean a particular HTTP status, for in-stream errors. */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * A parser for one Anthropic SSE stream → canonical events. Dispatches on the JSON `type` (never on
 * `event:` lines) and parses each event's JSON once. Upstream block indices are renumbered densely so
 * skipped server-tool blocks leave no holes. Custom-tool input arrives as the JSON of `{input}`: it is
 * buffered and handed on unwrapped, as one delta, when its block stops.
 */
export function createAnthropicStreamParser(req?: ToolContext): (ev: SseEvent) => CanonicalEvent[] {
  const names = createToolNames(req?.tools);
  const index = new Map<number, number>();
  const custom = new Map<number, string>();
  let next = 0;

  return (ev: SseEvent): CanonicalEvent[] => {
    let msg: any;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return [];
    }
    if (msg === null || typeof msg !== 'object') return [];
    switch (msg.type) {
      case 'message_start': {
        const m = msg.message ?? {};
        const start: CanonicalEvent = { type: 'start', id: String(m.id ?? ''), model: String(m.model ?? '') };
        const usage = partialUsageFromWire(m.usage);
        if (Object.keys(usage).length > 0) start.usage = usage;
        return [start];
      }
      case 'content_block_start': {
        const b = msg.content_block ?? {};
        const i = next;
        switch (b.type) {
          case 'text': {
            index.set(msg.index, next++);
            const out: CanonicalEvent[] = [{ type: 'block_start', index: i, block: { type: 'text' } }];
            if (typeof b.text === 'string' && b.text.length > 0)
              out.push({ type: 'text_delta', index: i, text: b.text });
            return out;
          }
          case 'thinking': {
            index.set(msg.index, next++);
            const out: CanonicalEvent[] = [{ type: 'block_start', index: i, block: { type: 'thinking' } }];
            if (typeof b.thinking === 'string' && b.thinking.length > 0) {
              out.push({ type: 'thinking_delta', index: i, text: b.thinking });
            }
            if (typeof b.signature === 'string' && b.signature.length > 0) {
              out.push({ type: 'signature_delta', index: i, signature: b.signature });
            }
            return out;
          }
          case 'redacted_thinking':
            index.set(msg.index, next++);
            return [
              { type: 'block_start', index: i, block: { type: 'thinking', redacted: String(b.data ?? '') } },
            ];
          case 'tool_use': {
            index.set(msg.index, next++);
            const ref = names.lookup(String(b.name ?? ''));
            const block: Extract<CanonicalEvent, { type: 'block_start' }>['block'] = {
              type: 'tool_use',
              id: String(b.id ?? ''),
              name: ref.name,
            };
            if (ref.kind === 'custom') {
              block.kind = 'custom';
              custom.set(i, '');
            }
            if (ref.namespace !== undefined) block.namespace = ref.namespace;
            return [{ type: 'block_start', index: i, block }];
          }
          default:
            return [];
        }
      }
      case 'content_block_delta': {
        const i = index.get(msg.index);
        const d = msg.delta;
        if (i === undefined || d === null || typeof d !== 'object') return [];
        switch (d.type) {
          case 'text_delta':
            return d.text ? [{ type: 'text_delta', index: i, text: d.text }] : [];
          case 'input_json_delta': {
            if (!d.partial_json) return [];
            const buf = custom.get(i);
            if (buf !== undefined) {
              custom.set(i, buf + d.partial_json);
              return [];
            }
            return [{ type: 'tool_input_delta', index: i, partial: d.partial_json }];
          }
          case 'thinking_delta':
            return d.thinking ? [{ type: 'thinking_delta', index: i, text: d.thinking }] : [];
          case 'signature_delta':
            return d.signature ? [{ type: 'signature_delta', index: i, signature: d.signature }] : [];
          default:
            return [];
        }
      }
      case 'content_block_stop': {
        const i = index.get(msg.index);
        if (i === undefined) return [];
        const buf = custom.get(i);
        if (buf === undefined) return [{ type: 'block_stop', index: i }];
        custom.delete(i);
        const raw = unwrapCustomInput(parseOr(buf));
        const out: CanonicalEvent[] = [];
        if (raw.length > 0) out.push({ type: 'tool_input_delta', index: i, partial: raw });
        out.push({ type: 'block_stop', index: i });
        return out;
      }
      case 'message_delta': {
        const out: CanonicalEvent[] = [];
        const d = msg.delta;
        if (d !== null && typeof d === 'object' && 'stop_reason' in d) {
          const stop: CanonicalEvent = { type: 'stop', stopReason: stopReasonFromWire(d.stop_reason) };
          if (typeof d.stop_sequence === 'string') stop.stopSequence = d.stop_sequence;
          out.push(stop);
        }
        const usage = partialUsageFromWire(msg.usage);
        if (Object.keys(usage).length > 0) out.push({ type: 'usage', usage });
        return out;
      }
      case 'message_stop':
        return [{ type: 'end' }];
      case 'error': {
        const e = msg.error ?? {};
        const errorType = typeof e.type === 'string' ? e.type : 'api_error';
        const message = typeof e.message === 'string' ? e.message : 'upstream stream error';
        const out: CanonicalEvent = { type: 'error', message, errorType };
        const status = ERROR_STATUS[errorType];
        if (status !== undefined) out.status = status;
        return [out];
      }
      default:
        return [];
    }
  };
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
