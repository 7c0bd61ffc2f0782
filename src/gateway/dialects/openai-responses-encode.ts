/**
 * Canonical → Responses API output: the Response envelope with the fields OpenAI's schema requires,
 * output items, usage, and the tool-call naming rules Codex depends on (namespace split back out of
 * a flattened `<ns>__<name>`, custom tools answered as custom_tool_call).
 */
import type {
  CanonicalRequest,
  CanonicalResponse,
  CanonicalTool,
  StopReason,
  ToolKind,
  ToolUseBlock,
  Usage,
} from '../canonical.js';
import type { GatewayError } from '../errors.js';
import type { EncodeContext } from './types.js';

type Json = Record<string, unknown>;

export type ResponseStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed';

/** Ids for the response and its items, derived from the request id so they are stable per request. */
export function idBase(ctx: EncodeContext): string {
  const base = ctx.requestId.replace(/[^A-Za-z0-9]/g, '');
  return base.length > 0 ? base : String(ctx.created);
}

export function itemId(prefix: 'msg' | 'rs' | 'fc' | 'ctc', base: string, n: number): string {
  return `${prefix}_${base}_${n}`;
}

export function encodeUsage(u: Usage): Json {
  const cached = u.cacheReadTokens ?? 0;
  const written = u.cacheWriteTokens ?? 0;
  const input = u.inputTokens + cached + written;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: written },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: input + u.outputTokens,
  };
}

/** How a response ends: status and incomplete_details from the canonical stop reason. */
export function statusFor(stop: StopReason | null | undefined): {
  status: ResponseStatus;
  incomplete: Json | null;
} {
  if (stop === 'max_tokens') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (stop === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

export interface EnvelopeParts {
  id: string;
  status: ResponseStatus;
  output: Json[];
  usage?: Usage;
  incomplete?: Json | null;
  error?: { code: string; message: string } | null;
}

/** What a Response echoes of the request at some length: its instructions and tools. */
export function echoed(ctx: EncodeContext): { instructions: string | null; tools: Json[] } {
  const req = ctx.request;
  const instructions = req && req.system.length > 0 ? req.system.map((b) => b.text).join('\n\n') : null;
  return { instructions, tools: encodeTools(req?.tools ?? []) };
}

/**
 * The full Response object, echoing the request's settings as OpenAI does. `echo: false` leaves
 * out `instructions` and `tools`: a stream repeats the envelope in response.created,
 * response.in_progress and response.completed, and serialises those two (a Claude Code system
 * prompt and its tools are tens of kilobytes) once for all three.
 */
export function envelope(ctx: EncodeContext, p: EnvelopeParts, { echo = true } = {}): Json {
  const req = ctx.request;
  const e = echo ? echoed(ctx) : undefined;
  const out: Json = {
    id: p.id,
    object: 'response',
    created_at: ctx.created,
    status: p.status,
    background: false,
    error: p.error ?? null,
    incomplete_details: p.incomplete ?? null,
    instructions: e?.instructions,
    max_output_tokens: req?.maxTokens ?? null,
    model: ctx.model,
    output: p.output,
    parallel_tool_calls: req?.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: req?.reasoning?.effort ?? null, summary: null },
    store: false,
    temperature: req?.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: encodeToolChoice(req),
    tools: e?.tools,
    top_p: req?.topP ?? 1,
    truncation: 'disabled',
    usage: p.usage ? encodeUsage(p.usage) : null,
    user: req?.user ?? null,
    metadata: {},
  };
  if (!e) {
    delete out.instructions;
    delete out.tools;
  }
  if (out.usage === null) delete out.usage;
  if (req?.user === undefined) delete out.user;
  return out;
}

function encodeToolChoice(req: CanonicalRequest | undefined): unknown {
  const c = req?.toolChoice;
  if (!c) return 'auto';
  if (c.type !== 'tool') return c.type;
  const declared = req?.tools?.find((t) => t.name === c.name && t.namespace === c.namespace);
  return { type: declared?.kind === 'custom' ? 'custom' : 'function', name: c.name };
}

/** Canonical tools → Responses tools, regrouping namespaced tools under their namespace. */
export function encodeTools(tools: CanonicalTool[]): Json[] {
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
      out.push({ type: 'namespace', name: t.namespace, description: '', tools: list });
    }
    list.push(enc);
  }
  return out;
}

function encodeTool(t: CanonicalTool): Json {
  if (t.kind === 'custom') {
    const c: Json = { type: 'custom', name: t.name };
    if (t.description !== undefined) c.description = t.description;
    if (t.format !== undefined) c.format = t.format;
    return c;
  }
  const f: Json = { type: 'function', name: t.name };
  if (t.description !== undefined) f.description = t.description;
  f.parameters = t.inputSchema ?? { type: 'object', properties: {} };
  f.strict = false;
  return f;
}

export interface CallTarget {
  name: string;
  namespace?: string;
  kind: ToolKind;
  /** The upstream answered a declared custom tool as a function: its JSON input must be unwrapped. */
  unwrap: boolean;
}

/**
 * Who a tool call is for, in the client's terms: namespaces restored from a flattened
 * `<ns>__<name>`, and calls to declared custom tools answered as custom tool calls.
 */
export function callTarget(
  b: Pick<ToolUseBlock, 'name' | 'namespace' | 'kind'>,
  req?: CanonicalRequest,
): CallTarget {
  const kind = b.kind ?? 'function';
  const tools = req?.tools ?? [];
  let declared = tools.find((t) => t.name === b.name && t.namespace === b.namespace);
  if (!declared && b.namespace === undefined) {
    declared = tools.find((t) => t.namespace !== undefined && `${t.namespace}__${t.name}` === b.name);
  }
  if (!declared) return { name: b.name, namespace: b.namespace, kind, unwrap: false };
  const unwrap = declared.kind === 'custom' && kind !== 'custom';
  return { name: declared.name, namespace: declared.namespace, kind: declared.kind, unwrap };
}

/** The raw input of a custom tool that an upstream called with JSON arguments. */
export function unwrapCustomInput(input: unknown): string {
  if (typeof input === 'string') return input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const values = Object.values(input as Json);
    if (values.length === 1 && typeof values[0] === 'string') return values[0];
  }
  return JSON.stringify(input ?? {});
}

export function outputText(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function messageItem(id: string, text: string, status: string): Json {
  return { id, type: 'message', role: 'assistant', status, content: [outputText(text)] };
}

export function reasoningItem(id: string, text: string, signature?: string): Json {
  const item: Json = {
    id,
    type: 'reasoning',
    summary: text.length > 0 ? [{ type: 'summary_text', text }] : [],
  };
  if (signature !== undefined) item.encrypted_content = signature;
  return item;
}

export function callItem(id: string, callId: string, t: CallTarget, payload: string, status: string): Json {
  const item: Json =
    t.kind === 'custom'
      ? { id, type: 'custom_tool_call', status, call_id: callId, name: t.name, input: payload }
      : { id, type: 'function_call', status, call_id: callId, name: t.name, arguments: payload };
  if (t.namespace !== undefined) item.namespace = t.namespace;
  return item;
}

/** The canonical answer as a complete Response object. */
export function encodeResponsesResponse(res: CanonicalResponse, ctx: EncodeContext): Json {
  const base = idBase(ctx);
  const { status, incomplete } = statusFor(res.stopReason);
  const output: Json[] = [];
  for (const b of res.content) {
    const n = output.length;
    if (b.type === 'text') {
      output.push(messageItem(itemId('msg', base, n), b.text, 'completed'));
    } else if (b.type === 'thinking') {
      if (b.redacted === undefined) output.push(reasoningItem(itemId('rs', base, n), b.text, b.signature));
    } else if (b.type === 'tool_use') {
      const t = callTarget(b, ctx.request);
      const payload =
        t.kind === 'custom'
          ? unwrapCustomInput(b.input)
          : typeof b.input === 'string'
            ? b.input
            : JSON.stringify(b.input ?? {});
      output.push(
        callItem(itemId(t.kind === 'custom' ? 'ctc' : 'fc', base, n), b.id, t, payload, 'completed'),
      );
    }
  }
  if (status === 'incomplete' && output.length > 0) {
    const last = output[output.length - 1];
    if (last.type !== 'reasoning') last.status = 'incomplete';
  }
  return envelope(ctx, { id: `resp_${base}`, status, output, usage: res.usage, incomplete });
}

/** The Response error code a gateway error is reported with (Codex reads these in response.failed). */
export function failedCode(err: GatewayError): string {
  if (err.code === 'rate_limit') return 'rate_limit_exceeded';
  if (err.code === 'context_window_exceeded') return 'context_length_exceeded';
  return 'server_error';
}
