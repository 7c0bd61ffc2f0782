/**
 * Responses API request → canonical request: input items become canonical messages (consecutive
 * items of one role merged), tools are flattened out of namespaces with the namespace kept, and the
 * hosted tools that only OpenAI can run are recorded as unportable (see openai-responses-hosted.ts).
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ReasoningEffort,
  ToolChoice,
} from '../canonical.js';
import { decodeItem, invalid, isObject, type ItemPiece } from './openai-responses-items.js';
import { decodeResponseFormat } from '../params/response-format.js';
import { restrictToAllowed } from '../params/allowed-tools.js';
import { unportable } from '../params/unportable.js';
import { noteHostedTool } from './openai-responses-hosted.js';

type Json = Record<string, unknown>;

const EFFORTS = new Set<ReasoningEffort>(['minimal', 'low', 'medium', 'high', 'xhigh']);

export function decodeResponsesRequest(body: Json): CanonicalRequest {
  if (body.previous_response_id != null) {
    throw invalid(
      'previous_response_id is not supported: the gateway keeps no state; resend the whole input',
      'previous_response_id',
    );
  }
  if (body.conversation != null) {
    throw invalid(
      'conversation is not supported: the gateway keeps no state; resend the whole input',
      'conversation',
    );
  }
  if (body.background === true) throw invalid('background responses are not supported', 'background');

  const req: CanonicalRequest = {
    model: body.model as string,
    system: [],
    messages: decodeInput(body.input),
    stream: body.stream === true,
  };
  if (typeof body.instructions === 'string' && body.instructions.length > 0) {
    req.system.push({ type: 'text', text: body.instructions });
  }
  const tools = decodeTools(body.tools, req);
  if (tools.length > 0) req.tools = tools;
  const choice = decodeToolChoice(body.tool_choice, req);
  if (choice) req.toolChoice = choice;
  if (isObject(body.tool_choice) && body.tool_choice.type === 'allowed_tools')
    restrictToAllowed(req, body.tool_choice.tools, 'tool_choice.tools');
  if (typeof body.parallel_tool_calls === 'boolean') req.parallelToolCalls = body.parallel_tool_calls;
  if (typeof body.max_output_tokens === 'number') req.maxTokens = body.max_output_tokens;
  if (typeof body.temperature === 'number') req.temperature = body.temperature;
  if (typeof body.top_p === 'number') req.topP = body.top_p;
  const user = typeof body.user === 'string' ? body.user : body.safety_identifier;
  if (typeof user === 'string') req.user = user;
  const effort = isObject(body.reasoning) ? body.reasoning.effort : undefined;
  if (typeof effort === 'string' && EFFORTS.has(effort as ReasoningEffort)) {
    req.reasoning = { effort: effort as ReasoningEffort };
  }
  const format = decodeResponseFormat(
    isObject(body.text) ? body.text.format : undefined,
    'text.format',
    false,
  );
  if (format) req.responseFormat = format;
  if (typeof body.service_tier === 'string')
    req.serviceTier = body.service_tier === 'default' ? 'standard' : body.service_tier;
  req.clientNames = {
    maxTokens: 'max_output_tokens',
    responseFormat: 'text.format',
    reasoning: 'reasoning.effort',
    serviceTier: 'service_tier',
  };
  // Chat names for what Chat upstreams take as is; others refuse them by these names.
  const extra: Record<string, unknown> = {};
  if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0) extra.top_logprobs = body.top_logprobs;
  if (isObject(body.metadata) && Object.keys(body.metadata).length > 0) extra.metadata = body.metadata;
  if (Object.keys(extra).length > 0) req.openaiExtra = extra;
  return req;
}

function decodeInput(input: unknown): CanonicalMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: [{ type: 'text', text: input }] }];
  if (!Array.isArray(input)) throw invalid('input must be a string or an array of items', 'input');
  const messages: CanonicalMessage[] = [];
  input.forEach((item, i) => {
    if (!isObject(item)) throw invalid(`input[${i}] must be an object`, `input[${i}]`);
    const piece: ItemPiece | null = decodeItem(item, i);
    if (piece === null || piece.content.length === 0) return;
    const last = messages[messages.length - 1];
    if (last && last.role === piece.role) last.content.push(...piece.content);
    else messages.push({ role: piece.role, content: [...piece.content] });
  });
  return messages;
}

function decodeTools(tools: unknown, req: CanonicalRequest): CanonicalTool[] {
  if (tools == null) return [];
  if (!Array.isArray(tools)) throw invalid('tools must be an array', 'tools');
  const out: CanonicalTool[] = [];
  tools.forEach((t, i) => {
    if (!isObject(t)) throw invalid(`tools[${i}] must be an object`, `tools[${i}]`);
    if (t.type === 'namespace') {
      if (typeof t.name !== 'string' || !Array.isArray(t.tools)) {
        throw invalid(`tools[${i}]: a namespace needs a name and tools`, `tools[${i}]`);
      }
      t.tools.forEach((n, j) => {
        const tool = isObject(n) ? decodeTool(n, `tools[${i}].tools[${j}]`, req) : null;
        if (tool) out.push({ ...tool, namespace: t.name as string });
      });
      return;
    }
    const tool = decodeTool(t, `tools[${i}]`, req);
    if (tool) out.push(tool);
  });
  return out;
}

/** A function or custom tool; hosted tools (web_search, file_search, tool_search…) → null, recorded. */
function decodeTool(t: Json, where: string, req: CanonicalRequest): CanonicalTool | null {
  if (t.type !== 'function' && t.type !== 'custom') {
    noteHostedTool(t, req);
    return null;
  }
  if (typeof t.name !== 'string' || t.name.length === 0) throw invalid(`${where} needs a name`, where);
  const tool: CanonicalTool = { name: t.name, kind: t.type };
  if (typeof t.description === 'string') tool.description = t.description;
  if (t.type === 'function') {
    tool.inputSchema = isObject(t.parameters) ? t.parameters : { type: 'object', properties: {} };
  } else if (t.format !== undefined) {
    tool.format = t.format;
  }
  return tool;
}

function decodeToolChoice(c: unknown, req: CanonicalRequest): ToolChoice | undefined {
  if (c == null) return undefined;
  if (c === 'auto' || c === 'none' || c === 'required') return { type: c };
  if (!isObject(c)) throw invalid('tool_choice must be a string or an object', 'tool_choice');
  if ((c.type === 'function' || c.type === 'custom') && typeof c.name === 'string') {
    return typeof c.namespace === 'string'
      ? { type: 'tool', name: c.name, namespace: c.namespace }
      : { type: 'tool', name: c.name };
  }
  if (c.type === 'allowed_tools') return { type: c.mode === 'required' ? 'required' : 'auto' };
  // A hosted tool (web_search, file_search…) forced: refused where it cannot run; dropped, the model chooses.
  unportable(req, {
    param: 'tool_choice',
    why: `${String(c.type)} is a tool that OpenAI hosts`,
    dialect: 'openai-responses',
  });
  return { type: 'auto' };
}
