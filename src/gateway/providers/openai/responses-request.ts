/**
 * Canonical request → Responses API body (`POST /responses`), and the deployment defaults and
 * max-tokens clamp both translated and passed-through Responses bodies get.
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentBlock,
  ImageBlock,
  TextBlock,
  ToolChoice,
} from '../../canonical.js';
import type { Deployment } from '../../../config/types.js';
import { responsesTextFormat } from '../../params/response-format.js';

type Json = Record<string, unknown>;

/** Request fields the Responses API accepts: deployment params outside this set are not sent. */
const RESPONSES_FIELDS = new Set([
  'include',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'parallel_tool_calls',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'temperature',
  'text',
  'tool_choice',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
]);

/**
 * Merge the deployment's `params` under the body (the body wins; Chat names `max_tokens`,
 * `max_completion_tokens` and `reasoning_effort` are understood), then clamp max_output_tokens.
 */
export function applyResponsesDefaults(body: Json, d: Deployment): void {
  for (const [k, v] of Object.entries(d.params ?? {})) {
    if (k === 'max_tokens' || k === 'max_completion_tokens') {
      if (body.max_output_tokens === undefined) body.max_output_tokens = v;
    } else if (k === 'reasoning_effort') {
      const r = isObject(body.reasoning) ? body.reasoning : {};
      if (r.effort === undefined) body.reasoning = { ...r, effort: v };
    } else if (RESPONSES_FIELDS.has(k) && body[k] === undefined) {
      body[k] = v;
    }
  }
  const max = body.max_output_tokens;
  if (d.maxTokens !== undefined && typeof max === 'number' && max > d.maxTokens)
    body.max_output_tokens = d.maxTokens;
}

export function buildResponsesBody(req: CanonicalRequest, d: Deployment): Json {
  const body: Json = { model: d.model };
  if (req.system.length > 0) body.instructions = req.system.map((b) => b.text).join('\n\n');
  body.input = req.messages.flatMap(encodeMessage);
  if (req.tools && req.tools.length > 0) body.tools = encodeTools(req.tools);
  if (req.toolChoice) body.tool_choice = encodeToolChoice(req.toolChoice, req.tools);
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.reasoning?.effort) body.reasoning = { effort: req.reasoning.effort };
  if (req.user !== undefined) body.user = req.user;
  if (req.responseFormat) body.text = { format: responsesTextFormat(req.responseFormat) };
  if (req.serviceTier !== undefined)
    body.service_tier = req.serviceTier === 'standard' ? 'default' : req.serviceTier;
  body.store = false;
  body.stream = req.stream;
  applyResponsesDefaults(body, d);
  return body;
}

function encodeMessage(m: CanonicalMessage): Json[] {
  const items: Json[] = [];
  let parts: Json[] = [];
  const role = m.role === 'system' ? 'developer' : m.role;
  const flush = (): void => {
    if (parts.length === 0) return;
    if (role === 'assistant') {
      items.push({ type: 'message', role, content: parts.map((p) => p.text ?? '').join('') });
    } else {
      items.push({ type: 'message', role, content: parts });
    }
    parts = [];
  };
  for (const b of m.content) {
    if (b.type === 'text') parts.push({ type: 'input_text', text: b.text });
    else if (b.type === 'image') parts.push(imagePart(b));
    else if (b.type === 'tool_use' || b.type === 'tool_result') {
      flush();
      items.push(b.type === 'tool_use' ? callItem(b) : outputItem(b));
    }
    // Thinking blocks are not sent: their signatures only mean something to the model family that made them.
  }
  flush();
  return items;
}

function imagePart(b: ImageBlock): Json {
  const url = b.source.kind === 'url' ? b.source.url : `data:${b.source.mediaType};base64,${b.source.data}`;
  return { type: 'input_image', image_url: url, detail: 'auto' };
}

function callItem(b: Extract<ContentBlock, { type: 'tool_use' }>): Json {
  const item: Json =
    b.kind === 'custom'
      ? {
          type: 'custom_tool_call',
          call_id: b.id,
          name: b.name,
          input: typeof b.input === 'string' ? b.input : JSON.stringify(b.input),
        }
      : {
          type: 'function_call',
          call_id: b.id,
          name: b.name,
          arguments: typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {}),
        };
  if (b.namespace !== undefined) item.namespace = b.namespace;
  return item;
}

function outputItem(b: Extract<ContentBlock, { type: 'tool_result' }>): Json {
  const type = b.kind === 'custom' ? 'custom_tool_call_output' : 'function_call_output';
  let output: unknown = b.content;
  if (Array.isArray(b.content)) {
    output = b.content.map((p: TextBlock | ImageBlock) =>
      p.type === 'text' ? { type: 'input_text', text: p.text } : imagePart(p),
    );
  }
  if (b.isError && typeof output === 'string') output = `Error: ${output}`;
  return { type, call_id: b.toolUseId, output };
}

function encodeTools(tools: CanonicalTool[]): Json[] {
  const out: Json[] = [];
  const spaces = new Map<string, Json[]>();
  for (const t of tools) {
    const enc = encodeTool(t);
    if (t.namespace === undefined) {
      out.push(enc);
      continue;
    }
    let list = spaces.get(t.namespace);
    if (!list) {
      list = [];
      spaces.set(t.namespace, list);
      out.push({
        type: 'namespace',
        name: t.namespace,
        description: `Tools in the ${t.namespace} namespace.`,
        tools: list,
      });
    }
    list.push(enc);
  }
  return out;
}

function encodeTool(t: CanonicalTool): Json {
  const tool: Json = { type: t.kind === 'custom' ? 'custom' : 'function', name: t.name };
  if (t.description !== undefined) tool.description = t.description;
  if (t.kind === 'custom') {
    if (t.format !== undefined) tool.format = t.format;
  } else {
    tool.parameters = t.inputSchema ?? { type: 'object', properties: {} };
    tool.strict = false;
  }
  return tool;
}

function encodeToolChoice(c: ToolChoice, tools: CanonicalTool[] | undefined): unknown {
  if (c.type !== 'tool') return c.type;
  const t = tools?.find((x) => x.name === c.name && x.namespace === c.namespace);
  return { type: t?.kind === 'custom' ? 'custom' : 'function', name: c.name };
}

/** Chat `response_format` → Responses `text.format`. */
function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
