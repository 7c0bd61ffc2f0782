import type { CanonicalRequest } from '../canonical.js';
import { unportable } from '../params/unportable.js';

type Json = Record<string, unknown>;

/**
 * Hosted tools agents offer on every request whether the task needs them or not (Codex sends
 * `web_search` and `tool_search` each turn): where they cannot run they are left out and listed in
 * `x-agentbox-dropped`, so Codex keeps working on any upstream and the answer says what it lacked.
 */
const OFFERED = /^(web_search|tool_search)/;

/** Tools the client runs but whose calls only the Responses API emits, as items of their own type. */
const BUILT_IN = /^(local_shell|shell|apply_patch)$/;

/**
 * A Responses tool that is neither a function nor a custom tool: OpenAI runs it (web search, file
 * search over vector stores, code interpreter, image generation, remote MCP, computer use, local
 * shell…). An offered one is left out with the header; any other is refused by a deployment of
 * another format (dropped under drop_params), since the request asked for what it does.
 */
export function noteHostedTool(t: Json, req: CanonicalRequest): void {
  const type = typeof t.type === 'string' ? t.type : 'unknown';
  unportable(req, {
    param: `tools.${type}`,
    why: BUILT_IN.test(type)
      ? `${type} is a built-in tool whose calls only the Responses API makes`
      : `${type} is a tool that OpenAI hosts`,
    dialect: 'openai-responses',
    offered: OFFERED.test(type),
  });
}
