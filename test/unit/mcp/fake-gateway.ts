import type { GatewayClient, GatewayReply } from '../../../src/mcp/gateway-client.js';

/** One recorded call to the fake gateway. */
export interface FakeCall {
  method: 'GET' | 'POST';
  path: string;
  body?: any;
}

export type FakeHandler = (call: FakeCall) => GatewayReply<unknown> | Promise<GatewayReply<unknown>>;

/**
 * A GatewayClient whose answers come from `handler`; every call is recorded. The daemon's MCP
 * state routes (tool-call admission, threads) answer like the daemon's and are recorded in
 * `stateCalls` instead, so `calls` holds the model calls only.
 */
export function fakeGateway(
  handler: FakeHandler,
): GatewayClient & { calls: FakeCall[]; stateCalls: FakeCall[]; headers: Array<Record<string, string>> } {
  const calls: FakeCall[] = [];
  const stateCalls: FakeCall[] = [];
  const headers: Array<Record<string, string>> = [];
  const threads = new Map<string, unknown[]>();
  const run = async (call: FakeCall, h?: Record<string, string>): Promise<GatewayReply<any>> => {
    if (call.path === '/v1/agentbox/tool-calls') {
      stateCalls.push(call);
      return { body: { tool: call.body.tool, admitted: true } };
    }
    if (call.path === '/v1/agentbox/threads') {
      stateCalls.push(call);
      const { op, id, turns } = call.body;
      if (op === 'get') return { body: { id, turns: threads.get(id) ?? [] } };
      if (op === 'forget') return { body: { id, forgotten: threads.delete(id) } };
      threads.set(id, [...(threads.get(id) ?? []), ...turns]);
      return { body: { id, turns: threads.get(id)!.length } };
    }
    calls.push(call);
    headers.push(h ?? {});
    return handler(call);
  };
  return {
    calls,
    stateCalls,
    headers,
    post: (path, body, _signal, h) => run({ method: 'POST', path, body }, h),
    get: (path) => run({ method: 'GET', path }),
  };
}

/** A Chat Completions reply as the daemon sends it. */
export function chatReply(
  text: string,
  deployment: string,
  costUsd?: number,
  usage = { in: 10, out: 5 },
): GatewayReply<unknown> {
  return {
    body: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'alias',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: usage.in, completion_tokens: usage.out, total_tokens: usage.in + usage.out },
    },
    deployment,
    costUsd,
  };
}
