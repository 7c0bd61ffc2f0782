type Headers = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => {
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s : undefined;
};
const field = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * The session a request belongs to, for prompt-cache affinity, from what real clients send: an
 * explicit `x-agentbox-session`; Claude Code's `x-claude-code-session-id`; Codex's `session-id`
 * header (older builds: `session_id`) or its body's `prompt_cache_key`; a Responses
 * `previous_response_id` (the session of the response it continues). Undefined: no session.
 */
export function sessionOf(headers: Headers, body: Record<string, unknown>): string | undefined {
  const explicit = first(headers['x-agentbox-session']);
  if (explicit) return `session:${explicit}`;
  const claude = first(headers['x-claude-code-session-id']);
  if (claude) return `session:${claude}`;
  const codex = first(headers['session-id']) ?? first(headers['session_id']);
  if (codex) return `session:${codex}`;
  const cacheKey = field(body.prompt_cache_key);
  if (cacheKey) return `session:${cacheKey}`;
  const previous = field(body.previous_response_id);
  if (previous) return responseSession(previous);
  return undefined;
}

/** The session key under which a response id is remembered, for requests that continue it. */
export const responseSession = (responseId: string): string => `response:${responseId}`;
