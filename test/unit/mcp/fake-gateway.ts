import type { GatewayClient, GatewayReply } from '../../../src/mcp/gateway-client.js';

/** One recorded call to the fake gateway. */
export interface FakeCall {
  method: 'GET' | 'POST';
  path: string;
  body?: any;
}

export type FakeHandler = (call: FakeCall) => GatewayReply<unknown> | Promise<GatewayReply<unknown>>;

/** A GatewayClient whose answers come from `handler`; every call is recorded. */
export function fakeGateway(handler: FakeHandler): GatewayClient & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const run = async (call: FakeCall): Promise<GatewayReply<any>> => {
    calls.push(call);
    return handler(call);
  };
  return {
    calls,
    post: (path, body) => run({ method: 'POST', path, body }),
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
