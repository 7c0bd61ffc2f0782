import type { CanonicalEvent, CanonicalRequest, CanonicalResponse, ResponseFormat } from '../../canonical.js';
import type { SseEvent } from '../../upstream/sse.js';
import type { AnthropicTool } from './wire.js';

type Json = Record<string, unknown>;

/**
 * Structured output on the Anthropic wire. Models with native structured output get
 * `output_config.format` (the answer arrives as JSON text); the others get a forced tool whose input
 * is the answer, and the parsers below turn that tool call back into a text block, so the client
 * sees the JSON it asked for either way.
 */
export const ANSWER_TOOL = 'json_response';

/** Claude models with native JSON outputs (`output_config.format`): 4.1 Opus, the 4.5 family and later. */
const NATIVE =
  /claude-(?:(?:opus|sonnet|haiku)-4-(?:[5-9]|1\d)|opus-4-1|(?:opus|sonnet|haiku)-(?:[5-9]))(?:\b|-|$)/i;

export function hasNativeStructuredOutput(model: string): boolean {
  return NATIVE.test(model);
}

const ANY_OBJECT = { type: 'object', additionalProperties: true };

/** `output_config.format` for a native model. */
export function nativeFormat(f: ResponseFormat): Json {
  return { type: 'json_schema', schema: f.type === 'json_schema' ? f.schema : ANY_OBJECT };
}

/** The tool that carries the answer on a model without native structured output. */
export function answerTool(f: ResponseFormat): AnthropicTool {
  const description =
    f.type === 'json_schema' && f.description
      ? `Respond with your final answer (${f.description}) as this tool's input.`
      : "Respond with your final answer as this tool's input.";
  return {
    name: ANSWER_TOOL,
    description,
    input_schema: f.type === 'json_schema' ? f.schema : ANY_OBJECT,
  };
}

/** Whether the answer of `req` may arrive as the answer tool (the client declared none of that name). */
function usesAnswerTool(req: Pick<CanonicalRequest, 'responseFormat' | 'tools'> | undefined): boolean {
  return req?.responseFormat !== undefined && !req.tools?.some((t) => t.name === ANSWER_TOOL);
}

/** A parsed response with the answer tool's input turned into the JSON text it stands for. */
export function unwrapAnswer(
  res: CanonicalResponse,
  req?: Pick<CanonicalRequest, 'responseFormat' | 'tools'>,
): CanonicalResponse {
  if (!usesAnswerTool(req)) return res;
  let unwrapped = false;
  const content = res.content.map((b) => {
    if (b.type !== 'tool_use' || b.name !== ANSWER_TOOL) return b;
    unwrapped = true;
    return { type: 'text' as const, text: JSON.stringify(b.input ?? {}) };
  });
  if (!unwrapped) return res;
  const otherTools = content.some((b) => b.type === 'tool_use');
  const stopReason = res.stopReason === 'tool_use' && !otherTools ? 'end_turn' : res.stopReason;
  return { ...res, content, stopReason };
}

/** The stream version of `unwrapAnswer`: the answer tool's block becomes a text block. */
export function unwrapAnswerStream(
  parse: (ev: SseEvent) => CanonicalEvent[],
  req?: Pick<CanonicalRequest, 'responseFormat' | 'tools'>,
): (ev: SseEvent) => CanonicalEvent[] {
  if (!usesAnswerTool(req)) return parse;
  const answers = new Set<number>();
  let otherTools = false;
  return (ev) =>
    parse(ev).map((e): CanonicalEvent => {
      if (e.type === 'block_start' && e.block.type === 'tool_use') {
        if (e.block.name !== ANSWER_TOOL) {
          otherTools = true;
          return e;
        }
        answers.add(e.index);
        return { type: 'block_start', index: e.index, block: { type: 'text' } };
      }
      if (e.type === 'tool_input_delta' && answers.has(e.index))
        return { type: 'text_delta', index: e.index, text: e.partial };
      if (e.type === 'stop' && e.stopReason === 'tool_use' && answers.size > 0 && !otherTools)
        return { ...e, stopReason: 'end_turn' };
      return e;
    });
}
