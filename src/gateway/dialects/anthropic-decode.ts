import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ReasoningEffort,
  ToolChoice,
} from '../canonical.js';
import { decodeContent, decodeSystem, invalid, isObject, type LostBlock } from './anthropic-decode-blocks.js';
import { unportable } from '../params/unportable.js';
import { decodeResponseFormat } from '../params/response-format.js';
import { decodeTypedTool, noteUnportableFields } from './anthropic-unportable.js';

type Json = Record<string, unknown>;

/**
 * Anthropic Messages request → canonical. Kept: system (string or blocks), `role:'system'` messages
 * at their position (Claude Code's mid-conversation system messages), every content block with a
 * canonical form, client tools, tool_choice, stop_sequences, temperature, top_p, max_tokens and the
 * reasoning request (`thinking` budget, adaptive thinking, `output_config.effort`), structured
 * output (`output_config.format`, or the beta's `output_format`), `top_k`, `service_tier` and
 * `metadata.user_id` (as the user); Anthropic's bash and text editor tools become function tools
 * with their documented schemas. Dropped: cache_control (a caching hint) and context_management's
 * thinking edits (thinking never crosses to another family). Recorded as unportable (refused by a
 * deployment of another format, or dropped under drop_params): server tools and other typed tools,
 * `container`, `mcp_servers`, other metadata keys, other context edits, and content blocks with no
 * canonical form. Tool schemas are kept as sent (`$schema`, huge integer bounds): encoders strip
 * what their upstream dislikes.
 */
export function decodeAnthropicRequest(body: Json): CanonicalRequest {
  if (typeof body.model !== 'string') throw invalid('model must be a string', 'model');
  if (!Array.isArray(body.messages)) throw invalid('messages must be an array', 'messages');
  const req: CanonicalRequest = {
    model: body.model,
    system: decodeSystem(body.system),
    messages: [],
    stream: body.stream === true,
  };
  const lost = (at: string, what: string): void =>
    unportable(req, {
      param: at,
      why: `${what} has no equivalent in this deployment's API`,
      dialect: 'anthropic-messages',
    });
  req.messages = body.messages.map((m, i) => decodeMessage(m, i, lost));
  if (typeof body.max_tokens === 'number') req.maxTokens = body.max_tokens;
  if (typeof body.temperature === 'number') req.temperature = body.temperature;
  if (typeof body.top_p === 'number') req.topP = body.top_p;
  if (typeof body.top_k === 'number') req.topK = body.top_k;
  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string') req.user = body.metadata.user_id;
  if (typeof body.service_tier === 'string')
    req.serviceTier = body.service_tier === 'standard_only' ? 'standard' : body.service_tier;
  const formatParam =
    isObject(body.output_config) && body.output_config.format != null
      ? 'output_config.format'
      : 'output_format';
  const format = decodeResponseFormat(
    formatParam === 'output_format' ? body.output_format : (body.output_config as Json).format,
    formatParam,
    false,
  );
  if (format) req.responseFormat = format;
  req.clientNames = {
    stop: 'stop_sequences',
    user: 'metadata.user_id',
    responseFormat: formatParam,
    reasoning: 'thinking',
  };
  if (Array.isArray(body.stop_sequences)) {
    const stop = body.stop_sequences.filter((s): s is string => typeof s === 'string');
    if (stop.length > 0) req.stop = stop;
  }
  const tools = decodeTools(body.tools, req);
  if (tools !== undefined) req.tools = tools;
  noteUnportableFields(body, req);
  decodeToolChoice(body.tool_choice, req);
  const reasoning = decodeReasoning(body.thinking, body.output_config);
  if (reasoning !== undefined) req.reasoning = reasoning;
  return req;
}

function decodeMessage(m: unknown, i: number, lost: LostBlock): CanonicalMessage {
  const at = `messages[${i}]`;
  if (!isObject(m)) throw invalid(`${at} must be an object`, at);
  if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system') {
    throw invalid(`${at}.role must be "user", "assistant" or "system"`, `${at}.role`);
  }
  return { role: m.role, content: decodeContent(m.content, `${at}.content`, lost) };
}

function decodeTools(tools: unknown, req: CanonicalRequest): CanonicalTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalid('tools must be an array', 'tools');
  const out: CanonicalTool[] = [];
  tools.forEach((t, i) => {
    if (!isObject(t)) throw invalid(`tools[${i}] must be an object`, `tools[${i}]`);
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
      const typed = decodeTypedTool(t, req);
      if (typed) out.push(typed);
      return;
    }
    if (typeof t.name !== 'string') throw invalid(`tools[${i}].name must be a string`, `tools[${i}].name`);
    const tool: CanonicalTool = { name: t.name, kind: 'function' };
    if (typeof t.description === 'string') tool.description = t.description;
    if (isObject(t.input_schema)) tool.inputSchema = t.input_schema;
    out.push(tool);
  });
  return out;
}

function decodeToolChoice(tc: unknown, req: CanonicalRequest): void {
  if (!isObject(tc)) return;
  let choice: ToolChoice | undefined;
  switch (tc.type) {
    case 'auto':
      choice = { type: 'auto' };
      break;
    case 'any':
      choice = { type: 'required' };
      break;
    case 'none':
      choice = { type: 'none' };
      break;
    case 'tool':
      if (typeof tc.name !== 'string') throw invalid('tool_choice.name must be a string', 'tool_choice.name');
      choice = { type: 'tool', name: tc.name };
      break;
    default:
      throw invalid('tool_choice.type must be "auto", "any", "tool" or "none"', 'tool_choice.type');
  }
  req.toolChoice = choice;
  if (tc.disable_parallel_tool_use === true) req.parallelToolCalls = false;
}

const EFFORTS: Record<string, ReasoningEffort> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'xhigh',
};

/**
 * `thinking: {type:'enabled', budget_tokens}` → a budget; `{type:'adaptive'}` → an effort, from
 * `output_config.effort` or Anthropic's default, high. An effort without thinking still asks for
 * that much effort. `{type:'disabled'}` asks for none.
 */
function decodeReasoning(thinking: unknown, outputConfig: unknown): CanonicalRequest['reasoning'] {
  const effortName =
    isObject(outputConfig) && typeof outputConfig.effort === 'string' ? outputConfig.effort : undefined;
  const effort = effortName !== undefined ? EFFORTS[effortName] : undefined;
  const t = isObject(thinking) ? thinking : undefined;
  if (t?.type === 'disabled') return undefined;
  if (t?.type === 'enabled' && typeof t.budget_tokens === 'number') {
    return effort !== undefined
      ? { budgetTokens: t.budget_tokens, effort }
      : { budgetTokens: t.budget_tokens };
  }
  if (t?.type === 'adaptive') return effort !== undefined ? { effort } : { effort: 'high', implicit: true };
  return effort !== undefined ? { effort } : undefined;
}
