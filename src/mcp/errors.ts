/** The errors the MCP tools turn into readable `isError` results. Never carry a key. */

/** The command a user runs to start the daemon; every "not running" message names it exactly. */
export const START_COMMAND = 'agentbox litellm start';

export class DaemonDownError extends Error {
  constructor(url?: string, hint?: string) {
    const where = url ? ` (nothing answers at ${url})` : '';
    super(
      `The agentbox gateway is not running${where}. Start it with: ${START_COMMAND}${hint ? `\n${hint}` : ''}`,
    );
    this.name = 'DaemonDownError';
  }
}

/** An error status from the gateway, with its own message. */
export class GatewayCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayCallError';
  }
}

const WHAT: Record<number, string> = {
  400: 'bad request',
  401: 'the gateway rejected the key',
  402: 'budget exceeded',
  403: 'not allowed',
  404: 'not found',
  408: 'timeout',
  413: 'request too large',
  429: 'rate limited',
  500: 'gateway failure',
  502: 'every deployment failed',
  503: 'unavailable',
  504: 'timeout',
};

/** An error response (OpenAI or Anthropic shape, or plain text) → a GatewayCallError with a readable message. */
export function gatewayErrorFromBody(status: number, text: string, retryAfter?: string): GatewayCallError {
  let message = '';
  let code = '';
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; code?: unknown; type?: unknown } | string;
    };
    if (typeof body.error === 'string') message = body.error;
    else if (body.error && typeof body.error === 'object') {
      if (typeof body.error.message === 'string') message = body.error.message;
      code =
        typeof body.error.code === 'string'
          ? body.error.code
          : typeof body.error.type === 'string'
            ? body.error.type
            : '';
    }
  } catch {
    message = text.trim().slice(0, 500);
  }
  if (!message) message = text.trim().slice(0, 500) || 'no details';
  let line = `gateway error ${status}${code ? ` ${code}` : ''} (${WHAT[status] ?? 'error'}): ${message}`;
  if (status === 429 && retryAfter) line += ` (retry after ${retryAfter} s)`;
  if (status === 401)
    line += '\nSet AGENTBOX_API_KEY for the MCP server, or the variable litellm.master_key reads.';
  return new GatewayCallError(status, code || 'gateway_error', line);
}

/** A readable one-line (or few-line) text for any error a tool hit. */
export function describeError(e: unknown): string {
  if (e instanceof DaemonDownError || e instanceof GatewayCallError) return e.message;
  return `agentbox mcp: ${(e as Error)?.message ?? String(e)}`;
}
