/**
 * What a request needs from a deployment and what it is, read from the client's body by its
 * dialect (cheaply, without a full decode): for capability checks before a deployment is tried,
 * and for routes by request traits.
 */
export interface RequestTraits {
  /** Image input anywhere in the conversation. */
  images: boolean;
  /** Tool definitions the model may call (client tools; server tools such as web search too). */
  tools: boolean;
  /** Structured output: a JSON schema the answer must follow. */
  jsonSchema: boolean;
  /** Thinking or reasoning effort asked for. */
  reasoning: boolean;
  /** A web search tool in the request. */
  webSearch: boolean;
  /** A client's small background call (Claude Code's titles and summaries on its small model). */
  background: boolean;
}

export const NO_TRAITS: RequestTraits = {
  images: false,
  tools: false,
  jsonSchema: false,
  reasoning: false,
  webSearch: false,
  background: false,
};

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** True when any tool's `type` starts with `web_search` (OpenAI and Anthropic server tools). */
export function hasWebSearchTool(tools: unknown): boolean {
  return list(tools).some((t) => isObj(t) && typeof t.type === 'string' && t.type.startsWith('web_search'));
}

/** True when some content part, at any depth of `content` arrays, has one of the `types`. */
export function hasPart(messages: unknown, types: Set<string>): boolean {
  const walk = (v: unknown, depth: number): boolean => {
    if (depth > 4) return false;
    for (const x of list(v)) {
      if (!isObj(x)) continue;
      if (typeof x.type === 'string' && types.has(x.type)) return true;
      if (Array.isArray(x.content) && walk(x.content, depth + 1)) return true;
      if (Array.isArray(x.output) && walk(x.output, depth + 1)) return true;
    }
    return false;
  };
  return walk(messages, 0);
}
