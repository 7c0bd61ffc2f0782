import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentBlock,
  ImageBlock,
  ReasoningEffort,
  TextBlock,
  ToolChoice,
  ToolKind,
} from '../canonical.js';
import { GatewayError } from '../errors.js';
import { decodeResponseFormat } from '../params/response-format.js';
import { restrictToAllowed } from '../params/allowed-tools.js';

type Obj = Record<string, unknown>;

/** Top-level fields with a canonical meaning; every other field travels in `openaiExtra`. */
const KNOWN = new Set([
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'reasoning_effort',
  'user',
  'stream',
  'stream_options',
  'response_format',
  'service_tier',
]);

const EFFORTS = new Set(['minimal', 'low', 'medium', 'high', 'xhigh']);

/** A Chat Completions request body (already validated) → the canonical request. */
export function decodeChatRequest(body: Obj): CanonicalRequest {
  const tools = decodeTools(body.tools);
  const customNames = new Set(tools?.filter((t) => t.kind === 'custom').map((t) => t.name));
  const req: CanonicalRequest = {
    model: String(body.model),
    system: [],
    messages: decodeMessages(body.messages as unknown[], customNames),
    stream: body.stream === true,
  };
  // Leading system/developer messages are the system prompt.
  while (req.messages.length > 0 && req.messages[0].role === 'system') {
    for (const b of req.messages.shift()!.content) if (b.type === 'text') req.system.push(b);
  }
  if (tools) req.tools = tools;
  if (body.tool_choice != null) req.toolChoice = decodeToolChoice(body.tool_choice);
  const tc = body.tool_choice as Obj | undefined;
  if (tc && typeof tc === 'object' && tc.type === 'allowed_tools')
    restrictToAllowed(req, (tc.allowed_tools as Obj | undefined)?.tools, 'tool_choice.allowed_tools.tools');
  if (typeof body.parallel_tool_calls === 'boolean') req.parallelToolCalls = body.parallel_tool_calls;
  if (typeof body.stop === 'string') req.stop = [body.stop];
  else if (Array.isArray(body.stop)) req.stop = body.stop.filter((s): s is string => typeof s === 'string');
  const max = optNumber(body, 'max_completion_tokens') ?? optNumber(body, 'max_tokens');
  if (max !== undefined) req.maxTokens = max;
  const temperature = optNumber(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optNumber(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const effort = body.reasoning_effort === 'max' ? 'xhigh' : body.reasoning_effort;
  if (typeof effort === 'string' && EFFORTS.has(effort))
    req.reasoning = { effort: effort as ReasoningEffort };
  if (typeof body.user === 'string') req.user = body.user;
  const format = decodeResponseFormat(body.response_format, 'response_format', true);
  if (format) req.responseFormat = format;
  if (typeof body.service_tier === 'string')
    req.serviceTier = body.service_tier === 'default' ? 'standard' : body.service_tier;
  const so = body.stream_options as Obj | undefined;
  if (so && typeof so === 'object' && so.include_usage === true) req.includeUsage = true;
  for (const [k, v] of Object.entries(body)) {
    if (KNOWN.has(k) || v === undefined || v === null) continue;
    (req.openaiExtra ??= {})[k] = v;
  }
  return req;
}

function decodeMessages(raw: unknown[], customNames: Set<string>): CanonicalMessage[] {
  const out: CanonicalMessage[] = [];
  const customCalls = new Set<string>();
  raw.forEach((item, i) => {
    const m = item as Obj;
    switch (m.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', content: textParts(m.content, `messages[${i}].content`) });
        break;
      case 'user':
        out.push({ role: 'user', content: userParts(m.content, `messages[${i}].content`) });
        break;
      case 'assistant':
        out.push({ role: 'assistant', content: assistantContent(m, i, customNames, customCalls) });
        break;
      case 'tool': {
        const id = typeof m.tool_call_id === 'string' ? m.tool_call_id : '';
        if (!id)
          throw invalid(
            `messages[${i}].tool_call_id is required for tool messages`,
            `messages[${i}].tool_call_id`,
          );
        const content = textParts(m.content, `messages[${i}].content`);
        const block: ContentBlock = {
          type: 'tool_result',
          toolUseId: id,
          content: content.length === 1 ? content[0].text : content,
        };
        if (customCalls.has(id)) block.kind = 'custom';
        const last = out[out.length - 1];
        // Consecutive tool messages answer one assistant turn: one user message of tool results.
        if (
          last &&
          last.role === 'user' &&
          last.content.length > 0 &&
          last.content.every((b) => b.type === 'tool_result')
        ) {
          last.content.push(block);
        } else out.push({ role: 'user', content: [block] });
        break;
      }
      default:
        throw invalid(
          `messages[${i}].role '${String(m.role)}' is not supported; use tools and tool messages`,
          `messages[${i}].role`,
        );
    }
  });
  return out;
}

function assistantContent(
  m: Obj,
  i: number,
  customNames: Set<string>,
  customCalls: Set<string>,
): ContentBlock[] {
  const content: ContentBlock[] = m.content == null ? [] : textParts(m.content, `messages[${i}].content`);
  if (!Array.isArray(m.tool_calls)) return content;
  m.tool_calls.forEach((raw, j) => {
    const tc = raw as Obj;
    const id = typeof tc.id === 'string' ? tc.id : `call_${i}_${j}`;
    if (tc.type === 'custom' && tc.custom && typeof tc.custom === 'object') {
      const c = tc.custom as Obj;
      customCalls.add(id);
      content.push({
        type: 'tool_use',
        id,
        name: String(c.name ?? ''),
        input: String(c.input ?? ''),
        kind: 'custom',
      });
      return;
    }
    const fn = (tc.function ?? {}) as Obj;
    const name = String(fn.name ?? '');
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';
    if (customNames.has(name)) {
      customCalls.add(id);
      content.push({ type: 'tool_use', id, name, input: unwrapInput(args), kind: 'custom' });
    } else content.push({ type: 'tool_use', id, name, input: parseArgs(args) });
  });
  return content;
}

function textParts(content: unknown, param: string): TextBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (content == null) return [];
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of content parts`, param);
  const out: TextBlock[] = [];
  content.forEach((p, k) => {
    const part = p as Obj;
    if (
      (part?.type === 'text' || part?.type === 'refusal') &&
      typeof (part.text ?? part.refusal) === 'string'
    ) {
      out.push({ type: 'text', text: String(part.text ?? part.refusal) });
    } else throw invalid(`${param}[${k}] must be a text part`, `${param}[${k}]`);
  });
  return out;
}

function userParts(content: unknown, param: string): ContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of content parts`, param);
  return content.map((p, k): ContentBlock => {
    const part = p as Obj;
    if (part?.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part?.type === 'image_url') {
      const iu = part.image_url as Obj | string | undefined;
      const url = typeof iu === 'string' ? iu : iu?.url;
      if (typeof url === 'string' && url.length > 0) return imageBlock(url);
    }
    throw invalid(
      `${param}[${k}]: content part type '${String(part?.type)}' is not supported here`,
      `${param}[${k}]`,
    );
  });
}

function imageBlock(url: string): ImageBlock {
  const m = /^data:([^;,]+);base64,/.exec(url);
  if (m) return { type: 'image', source: { kind: 'base64', mediaType: m[1], data: url.slice(m[0].length) } };
  return { type: 'image', source: { kind: 'url', url } };
}

function decodeTools(raw: unknown): CanonicalTool[] | undefined {
  if (raw == null) return undefined;
  if (!Array.isArray(raw)) throw invalid('tools must be an array', 'tools');
  return raw.map((t, i): CanonicalTool => {
    const tool = t as Obj;
    const kind: ToolKind | undefined =
      tool?.type === 'function' ? 'function' : tool?.type === 'custom' ? 'custom' : undefined;
    const def = (kind ? tool[kind] : undefined) as Obj | undefined;
    if (!kind || !def || typeof def.name !== 'string' || def.name.length === 0) {
      throw invalid(
        `tools[${i}] must be {type: 'function', function: {name, …}} or a custom tool`,
        `tools[${i}]`,
      );
    }
    const out: CanonicalTool = { name: def.name, kind };
    if (typeof def.description === 'string') out.description = def.description;
    if (kind === 'function') {
      out.inputSchema =
        def.parameters && typeof def.parameters === 'object'
          ? (def.parameters as Obj)
          : { type: 'object', properties: {} };
    } else if (def.format !== undefined) out.format = def.format;
    return out;
  });
}

function decodeToolChoice(raw: unknown): ToolChoice {
  if (raw === 'none' || raw === 'required' || raw === 'auto') return { type: raw };
  const c = raw as Obj;
  if (c && typeof c === 'object') {
    const named = (c.type === 'function' ? c.function : c.type === 'custom' ? c.custom : undefined) as
      Obj | undefined;
    if (named && typeof named.name === 'string') return { type: 'tool', name: named.name };
    const allowed = c.allowed_tools as Obj | undefined;
    if (c.type === 'allowed_tools' && allowed?.mode === 'required') return { type: 'required' };
  }
  return { type: 'auto' };
}

function parseArgs(args: string): unknown {
  if (args.trim().length === 0) return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** Custom tools over Chat functions carry their raw input as `{"input": "…"}`. */
function unwrapInput(args: string): string {
  const parsed = parseArgs(args) as Obj | string;
  return parsed && typeof parsed === 'object' && typeof parsed.input === 'string' ? parsed.input : args;
}

function optNumber(body: Obj, key: string): number | undefined {
  const v = body[key];
  if (v == null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${key} must be a number`, key);
  return v;
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}
