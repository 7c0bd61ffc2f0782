import type { ChatContent } from './ask.js';
import type { GatewayClient } from './gateway-client.js';

/**
 * What the MCP tools keep in the daemon rather than in this process, so the stdio shim and `/mcp`
 * share it: conversation threads, and the per-tool call limits.
 */

type Turn = { role: 'user' | 'assistant'; content: ChatContent };

export async function threadTurns(gateway: GatewayClient, id: string, signal?: AbortSignal): Promise<Turn[]> {
  const r = await gateway.post<{ turns?: Turn[] }>('/v1/agentbox/threads', { op: 'get', id }, signal);
  return r.body.turns ?? [];
}

/** Add turns to a thread; the number of messages it now keeps. */
export async function appendTurns(
  gateway: GatewayClient,
  id: string,
  turns: Turn[],
  signal?: AbortSignal,
): Promise<number> {
  const r = await gateway.post<{ turns?: number }>(
    '/v1/agentbox/threads',
    { op: 'append', id, turns },
    signal,
  );
  return r.body.turns ?? turns.length;
}

export async function forgetThread(
  gateway: GatewayClient,
  id: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const r = await gateway.post<{ forgotten?: boolean }>('/v1/agentbox/threads', { op: 'forget', id }, signal);
  return r.body.forgotten === true;
}

/** Count one call of the tool against its limits; throws the gateway's 429 (with the wait) when over. */
export async function admitToolCall(
  gateway: GatewayClient,
  tool: 'complete' | 'consensus',
  signal?: AbortSignal,
): Promise<void> {
  await gateway.post('/v1/agentbox/tool-calls', { tool }, signal);
}
