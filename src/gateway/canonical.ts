/**
 * The internal model every translation goes through: content blocks plus a stream of typed
 * events. It is a superset of Chat Completions, Anthropic Messages and the Responses API, so a
 * request decoded from one dialect and encoded for another loses nothing both sides can express.
 *
 * Token accounting follows Anthropic's convention: `inputTokens` excludes cache reads and cache
 * writes, which are counted separately. Encoders for OpenAI shapes add them back into
 * `prompt_tokens` / `input_tokens`.
 */

/** Wire formats; `bedrock-converse` is spoken by upstreams only. */
export type Dialect =
  'openai-chat' | 'anthropic-messages' | 'openai-responses' | 'gemini' | 'bedrock-converse';

/** How a tool is declared and called: a JSON-arguments function, or a free-text custom tool (Codex apply_patch). */
export type ToolKind = 'function' | 'custom';

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ImageBlock {
  type: 'image';
  source: { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  /** Parsed JSON arguments for function tools; for custom tools, the raw input string. */
  input: unknown;
  kind?: ToolKind;
  /** Responses API namespace (Codex MCP tools: `mcp__server`); `name` is then the bare tool name. */
  namespace?: string;
  /** Gemini `thoughtSignature` carried on the call: opaque, only meaningful to Gemini. */
  signature?: string;
}

export interface ToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  content: string | Array<TextBlock | ImageBlock>;
  isError?: boolean;
  kind?: ToolKind;
}

export interface ThinkingBlock {
  type: 'thinking';
  text: string;
  /** Anthropic signature, or Responses encrypted_content: opaque, only meaningful to the same provider family. */
  signature?: string;
  /** Anthropic redacted_thinking data. */
  redacted?: string;
}

export type ContentBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock;

export interface CanonicalMessage {
  /** `system` may appear mid-conversation (Claude Code's mid-conversation system messages). */
  role: 'system' | 'user' | 'assistant';
  content: ContentBlock[];
}

export interface CanonicalTool {
  name: string;
  description?: string;
  /** JSON Schema of the input for function tools. */
  inputSchema?: Record<string, unknown>;
  kind: ToolKind;
  /** Responses API namespace this tool was declared under. */
  namespace?: string;
  /** Custom tool format (e.g. `{type: 'grammar', syntax: 'lark', definition}`), kept for same-family upstreams. */
  format?: unknown;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string; namespace?: string };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** Structured output: any JSON object, or JSON matching a schema. */
export type ResponseFormat =
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

/**
 * Service tier, with the two names that mean the same in both families made one: `standard` is
 * OpenAI's `default` and Anthropic's `standard_only`. Other values (flex, priority, scale) are
 * OpenAI's own.
 */
export type ServiceTier = 'auto' | 'standard' | (string & {});

/** Canonical request fields a codec may report as unsupported, by the name the client used. */
export type CanonicalParam =
  | 'maxTokens'
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'stop'
  | 'user'
  | 'serviceTier'
  | 'responseFormat'
  | 'reasoning';

export interface CanonicalRequest {
  /** The model name the client asked for (an alias, a glob match or provider/model). */
  model: string;
  /** Top-level system prompt pieces, in order. */
  system: TextBlock[];
  messages: CanonicalMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** Top-k sampling (Gemini, Anthropic); OpenAI-format upstreams have no such parameter. */
  topK?: number;
  stop?: string[];
  stream: boolean;
  tools?: CanonicalTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  /** Reasoning requested by the client; encoders map it where the upstream supports it, else drop it. */
  reasoning?: {
    effort?: ReasoningEffort;
    budgetTokens?: number;
    /** The provider's own default (Messages adaptive thinking without an effort): mapped where it can be, never refused. */
    implicit?: boolean;
  };
  user?: string;
  serviceTier?: ServiceTier;
  responseFormat?: ResponseFormat;
  /**
   * The client's own names for the canonical fields it set (`stop` is Messages' `stop_sequences`),
   * so a refusal names what the client sent. A field missing here is named by `CLIENT_NAME_DEFAULTS`.
   */
  clientNames?: Partial<Record<CanonicalParam, string>>;
  /** For streams: the client asked to receive usage (Chat `stream_options.include_usage`). */
  includeUsage?: boolean;
  /**
   * OpenAI-Chat-only parameters without a canonical meaning (seed, n, logprobs, presence_penalty…),
   * forwarded to OpenAI-format upstreams; other upstreams report each one they cannot take to the
   * request's ParamSink (refused, or dropped under drop_params).
   */
  openaiExtra?: Record<string, unknown>;
  /**
   * What the client sent that only upstreams of its own format can honour (server tools, Anthropic's
   * `container`, a Responses hosted tool…), by the client's name. Each is reported to the ParamSink
   * of a deployment that speaks another format: refused, dropped under drop_params, or (`offered`:
   * a tool agents offer on every request) left out with the dropped-parameters header.
   */
  unportable?: Unportable[];
}

export interface Unportable {
  param: string;
  why: string;
  /** The format that can honour it. */
  dialect: Dialect;
  offered?: boolean;
}

const CLIENT_NAME_DEFAULTS: Record<CanonicalParam, string> = {
  maxTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  stop: 'stop',
  user: 'user',
  serviceTier: 'service_tier',
  responseFormat: 'response_format',
  reasoning: 'reasoning_effort',
};

/** The name the client used for a canonical field, for messages and the dropped-parameters header. */
export function clientName(req: CanonicalRequest, field: CanonicalParam): string {
  return req.clientNames?.[field] ?? CLIENT_NAME_DEFAULTS[field];
}

export type StopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'content_filter' | 'refusal';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  /** The model the upstream reports having used. */
  model: string;
  content: ContentBlock[];
  stopReason: StopReason | null;
  stopSequence?: string | null;
  usage?: Usage;
}

/**
 * Stream events, modelled on Anthropic's (the richest of the three): blocks open, receive deltas and
 * close, indices are dense from 0 in the order blocks open.
 */
export type CanonicalEvent =
  | { type: 'start'; id: string; model: string; usage?: Partial<Usage> }
  | {
      type: 'block_start';
      index: number;
      block:
        | { type: 'text' }
        | { type: 'thinking'; redacted?: string }
        | {
            type: 'tool_use';
            id: string;
            name: string;
            kind?: ToolKind;
            namespace?: string;
            signature?: string;
          };
    }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'thinking_delta'; index: number; text: string }
  | { type: 'signature_delta'; index: number; signature: string }
  /** A fragment of the JSON arguments (function tools) or of the raw input (custom tools). */
  | { type: 'tool_input_delta'; index: number; partial: string }
  | { type: 'block_stop'; index: number }
  | { type: 'usage'; usage: Partial<Usage> }
  | { type: 'stop'; stopReason: StopReason | null; stopSequence?: string | null }
  /** The upstream ended its stream properly (`[DONE]`, `message_stop`, `response.completed`). */
  | { type: 'end' }
  /** The upstream reported an error inside the stream. */
  | { type: 'error'; message: string; errorType?: string; status?: number };

/** An event that means the model has produced output: the stream commit point. */
export function isContentEvent(ev: CanonicalEvent): boolean {
  switch (ev.type) {
    case 'text_delta':
    case 'thinking_delta':
    case 'tool_input_delta':
    case 'signature_delta':
    case 'stop':
    case 'end':
      return true;
    case 'block_start':
      return ev.block.type === 'tool_use';
    default:
      return false;
  }
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0 };
}

/** Merge a partial usage report into an accumulator; later non-undefined values win. */
export function mergeUsage(into: Usage, part: Partial<Usage>): Usage {
  for (const k of Object.keys(part) as Array<keyof Usage>) {
    const v = part[k];
    if (typeof v === 'number') into[k] = v;
  }
  return into;
}

/** Concatenate the text blocks of a content list. */
export function textOf(content: ContentBlock[] | string): string {
  if (typeof content === 'string') return content;
  let out = '';
  for (const b of content) if (b.type === 'text') out += b.text;
  return out;
}
