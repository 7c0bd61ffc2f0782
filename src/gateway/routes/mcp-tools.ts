import { GatewayError } from '../errors.js';
import type { ThreadTurn } from '../usage/threads.js';
import { isMcpTool, MCP_TOOLS } from '../usage/rate-limit.js';
import { usageOf } from '../usage/request-info.js';
import { parseJsonBody } from './json-body.js';
import { sendJson, type RequestContext } from './context.js';

/**
 * Daemon-side state of the MCP tools, so that `agentbox mcp` (stdio, another process) and `/mcp`
 * share it: conversation threads and per-tool rate limits. Both are POST routes that take JSON.
 */

const THREAD_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `POST /v1/agentbox/threads` `{op: "get" | "append" | "forget", id, turns?}`: a thread of the
 * calling key (the master key and keyless callers share one owner).
 */
export async function handleThreads(ctx: RequestContext): Promise<void> {
  const body = parseJsonBody(ctx.body);
  const id = body.id;
  if (typeof id !== 'string' || !THREAD_ID.test(id))
    throw new GatewayError('invalid_request', 'id: 1 to 128 characters of A-Z a-z 0-9 . _ : -', {
      param: 'id',
    });
  const owner = usageOf(ctx).caller?.name ?? '-';
  const threads = ctx.state.threads;
  switch (body.op) {
    case 'get':
      sendJson(ctx, 200, { id, turns: await threads.get(owner, id) });
      return;
    case 'append': {
      const turns = body.turns;
      if (!Array.isArray(turns) || !turns.every(isTurn))
        throw new GatewayError('invalid_request', 'turns: a list of {role: "user" | "assistant", content}', {
          param: 'turns',
        });
      const kept = await threads.append(owner, id, turns, ctx.state.loaded.config.mcp);
      sendJson(ctx, 200, { id, turns: kept });
      return;
    }
    case 'forget':
      sendJson(ctx, 200, { id, forgotten: await threads.forget(owner, id) });
      return;
    default:
      throw new GatewayError('invalid_request', 'op: one of "get", "append", "forget"', { param: 'op' });
  }
}

function isTurn(t: unknown): t is ThreadTurn {
  if (!t || typeof t !== 'object') return false;
  const { role, content } = t as Record<string, unknown>;
  return (role === 'user' || role === 'assistant') && (typeof content === 'string' || Array.isArray(content));
}

/**
 * `POST /v1/agentbox/tool-calls` `{tool}`: count one call of an MCP tool against its rpm limits
 * (`rate_limits.tools`, the calling key's `tools`) and check its tpm limits have room; 429 with
 * the wait otherwise. The tool's model calls carry `x-agentbox-tool` and are charged to its tpm.
 */
export async function handleToolCall(ctx: RequestContext): Promise<void> {
  const body = parseJsonBody(ctx.body);
  if (!isMcpTool(body.tool))
    throw new GatewayError('invalid_request', `tool: one of ${MCP_TOOLS.join(', ')}`, { param: 'tool' });
  const u = ctx.state.usage;
  if (u)
    await u.limiter.admitToolCall(ctx.state.loaded.config, {
      key: usageOf(ctx).caller?.key,
      tool: body.tool,
    });
  sendJson(ctx, 200, { tool: body.tool, admitted: true });
}
