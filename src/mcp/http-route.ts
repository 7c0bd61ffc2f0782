import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { MAX_JSON_DEPTH, withinDepth } from '../shared/json-depth.js';
import type { Logger } from '../shared/log.js';
import type { AttachmentLimits } from './attachments.js';
import { connectHost } from './locate.js';
import { createGatewayClient, type DaemonTarget } from './gateway-client.js';
import { createMcpServer } from './server.js';

/** The parts of the daemon's request context `/mcp` uses (auth has already been checked). */
export interface McpHttpContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request body, already read by the daemon. */
  body: Buffer;
  log?: Logger;
  /** Attachment caps of the daemon's config (`litellm.mcp`). */
  limits?: AttachmentLimits;
}

/**
 * `POST /mcp` on the daemon: MCP Streamable HTTP in stateless mode, a fresh server and transport per
 * request. The tools call this same daemon over HTTP, with the caller's own key, so keys, budgets
 * and limits apply to them like to any other client.
 */
export async function handleMcpHttp(ctx: McpHttpContext): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    sendRpcError(ctx.res, 400, -32700, 'Parse error: the body is not JSON');
    return;
  }
  if (!withinDepth(message, MAX_JSON_DEPTH)) {
    sendRpcError(ctx.res, 400, -32600, `Invalid Request: nested deeper than ${MAX_JSON_DEPTH} levels`);
    return;
  }
  const target = selfTarget(ctx.req);
  const gateway = createGatewayClient({ locate: async () => target });
  const server = createMcpServer({ gateway, log: ctx.log, limits: ctx.limits });
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  ctx.res.once('close', () => {
    void transport.close().catch(() => {});
    void server.close().catch(() => {});
  });
  await server.connect(transport);
  await transport.handleRequest(ctx.req, ctx.res, message);
}

/** This daemon, reached on the address the request came in on, with the key the caller presented. */
export function selfTarget(req: IncomingMessage): DaemonTarget {
  const host = connectHost((req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, ''));
  const target: DaemonTarget = { url: `http://${host}:${req.socket.localPort}` };
  const key = presentedKey(req);
  if (key) target.key = key;
  return target;
}

function presentedKey(req: IncomingMessage): string | undefined {
  const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const auth = first(req.headers.authorization);
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  return first(req.headers['x-api-key'])?.trim() || undefined;
}

function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
