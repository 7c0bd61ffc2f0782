/**
 * Bedrock Converse answers → Anthropic Messages shapes, so the Messages parsers (tool names mapped
 * back, custom-tool inputs unwrapped, usage with cache tokens) read them. Non-stream: the whole
 * answer. Stream: one ConverseStream event (its `:event-type` and JSON payload) → the Messages
 * stream events it amounts to. Text blocks arrive without a start event in Converse: the start is
 * made up when the first delta of an index arrives.
 */
type Obj = Record<string, any>;

const STOP: Record<string, string> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  guardrail_intervened: 'refusal',
  content_filtered: 'refusal',
};

export function converseStop(reason: unknown): string | null {
  return typeof reason === 'string' ? (STOP[reason] ?? 'end_turn') : null;
}

export function converseUsage(u: Obj | undefined): Obj {
  return {
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_read_input_tokens: u?.cacheReadInputTokens ?? 0,
    cache_creation_input_tokens: u?.cacheWriteInputTokens ?? 0,
  };
}

export function converseToMessages(body: Obj, model: string): Obj {
  const content = (body?.output?.message?.content ?? []) as Obj[];
  return {
    id: body?.ResponseMetadata?.RequestId ?? '',
    type: 'message',
    role: 'assistant',
    model,
    content: content.flatMap(blockOf),
    stop_reason: converseStop(body?.stopReason),
    usage: converseUsage(body?.usage),
  };
}

function blockOf(b: Obj): Obj[] {
  if (typeof b.text === 'string') return [{ type: 'text', text: b.text }];
  if (b.toolUse)
    return [
      { type: 'tool_use', id: b.toolUse.toolUseId, name: b.toolUse.name, input: b.toolUse.input ?? {} },
    ];
  const r = b.reasoningContent;
  if (r?.reasoningText)
    return [
      { type: 'thinking', thinking: r.reasoningText.text ?? '', signature: r.reasoningText.signature ?? '' },
    ];
  if (r?.redactedContent) return [{ type: 'redacted_thinking', data: r.redactedContent }];
  return [];
}

/** A fresh mapper for one stream: ConverseStream event → Messages stream events. */
export function createConverseStreamMapper(model: string): (type: string | undefined, payload: Obj) => Obj[] {
  const open = new Map<number, string>();
  const start = (index: number, kind: string, block: Obj): Obj[] => {
    if (open.has(index)) return [];
    open.set(index, kind);
    return [{ type: 'content_block_start', index, content_block: block }];
  };
  return (type, p) => {
    switch (type) {
      case 'messageStart':
        return [
          {
            type: 'message_start',
            message: {
              id: '',
              type: 'message',
              role: 'assistant',
              model,
              content: [],
              usage: { input_tokens: 0, output_tokens: 0 },
            },
          },
        ];
      case 'contentBlockStart': {
        const tu = p.start?.toolUse;
        if (!tu) return [];
        return start(p.contentBlockIndex, 'tool_use', {
          type: 'tool_use',
          id: tu.toolUseId,
          name: tu.name,
          input: {},
        });
      }
      case 'contentBlockDelta': {
        const i = p.contentBlockIndex as number;
        const d = p.delta ?? {};
        if (typeof d.text === 'string')
          return [
            ...start(i, 'text', { type: 'text', text: '' }),
            { type: 'content_block_delta', index: i, delta: { type: 'text_delta', text: d.text } },
          ];
        if (d.toolUse)
          return [
            {
              type: 'content_block_delta',
              index: i,
              delta: { type: 'input_json_delta', partial_json: String(d.toolUse.input ?? '') },
            },
          ];
        const r = d.reasoningContent;
        if (r?.redactedContent !== undefined)
          return start(i, 'redacted', { type: 'redacted_thinking', data: r.redactedContent });
        const head = start(i, 'thinking', { type: 'thinking', thinking: '' });
        if (typeof r?.text === 'string')
          return [
            ...head,
            { type: 'content_block_delta', index: i, delta: { type: 'thinking_delta', thinking: r.text } },
          ];
        if (typeof r?.signature === 'string')
          return [
            ...head,
            {
              type: 'content_block_delta',
              index: i,
              delta: { type: 'signature_delta', signature: r.signature },
            },
          ];
        return head;
      }
      case 'contentBlockStop':
        return open.has(p.contentBlockIndex)
          ? [{ type: 'content_block_stop', index: p.contentBlockIndex }]
          : [];
      case 'messageStop':
        return [{ type: 'message_delta', delta: { stop_reason: converseStop(p.stopReason) } }];
      case 'metadata':
        return [
          { type: 'message_delta', delta: {}, usage: converseUsage(p.usage) },
          { type: 'message_stop' },
        ];
      default:
        return [];
    }
  };
}
