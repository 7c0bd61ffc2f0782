import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Agent } from 'undici';
import type { Logger } from '../shared/log.js';
import { DEFAULT_ATTACHMENT_LIMITS, type AttachmentLimits } from './attachments.js';
import { createAutostart } from './autostart.js';
import { DaemonDownError, START_COMMAND } from './errors.js';
import { createGatewayClient, type Locate } from './gateway-client.js';
import { LineTransport } from './line-transport.js';
import { createLocator } from './locate.js';
import { createMcpServer } from './server.js';

export interface StdioOptions {
  env: NodeJS.ProcessEnv;
  autostart: boolean;
  log: Logger;
  stdin?: Readable;
  stdout?: Writable;
}

export interface StdioShim {
  /** Resolves when the client has gone (stdin closed) and everything is shut down. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * `agentbox mcp`: the MCP server on stdin/stdout. stdout carries JSON-RPC only; logs go to `log`
 * (stderr). Each tool call finds the daemon afresh; with autostart a missing daemon is started first.
 */
export async function runStdioShim(opts: StdioOptions): Promise<StdioShim> {
  const { env, log } = opts;
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  const find = createLocator({ env, dispatcher: agent });
  const start = opts.autostart ? createAutostart({ env, log }) : undefined;

  const locate: Locate = async () => {
    const target = await find();
    if (target || !start) return target;
    try {
      await start();
    } catch (e) {
      throw new DaemonDownError(undefined, `--autostart could not start it: ${(e as Error).message}`);
    }
    return find();
  };
  const gateway = createGatewayClient({
    locate,
    dispatcher: agent,
    downHint: start ? undefined : `(or let the MCP server start it: agentbox mcp --autostart)`,
  });
  const server = createMcpServer({ gateway, log, limits: await attachmentLimits(env) });
  const stdin = opts.stdin ?? process.stdin;
  const transport = new LineTransport(stdin, opts.stdout ?? process.stdout);

  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  let state: 'open' | 'draining' | 'closing' = 'open';
  const close = async (): Promise<void> => {
    if (state === 'closing') return closed;
    state = 'closing';
    stdin.off('end', drain);
    await server.close().catch(() => {});
    await agent.close().catch(() => {});
    log.info('mcp server stopped');
    done();
  };
  // stdin ended (e.g. piped input): answer what is in flight, then stop.
  const drain = (): void => {
    if (state !== 'open') return;
    state = 'draining';
    void pending.idle().then(close);
  };
  transport.onclose = () => void close();
  stdin.once('end', drain);
  await server.connect(transport);
  const pending = trackPending(transport);
  log.info({ autostart: opts.autostart }, 'agentbox mcp ready on stdio');

  if (start) {
    // Start the daemon now so the first call does not wait for it; calls share this start.
    void find()
      .then((t) => (t ? undefined : start()))
      .catch((e: Error) => log.warn({ error: e.message, command: START_COMMAND }, 'autostart failed'));
  }
  return { closed, close };
}

/** The config's `litellm.mcp` caps (the defaults when no config can be read). */
async function attachmentLimits(env: NodeJS.ProcessEnv): Promise<AttachmentLimits> {
  try {
    const { loadConfig } = await import('../config/load.js');
    const r = await loadConfig({ path: env.AGENTBOX_CONFIG, env });
    if (r.ok) return r.loaded.config.mcp;
  } catch {
    // no config: defaults
  }
  return DEFAULT_ATTACHMENT_LIMITS;
}

/** Counts JSON-RPC requests that have not been answered yet; `idle()` resolves when none are left. */
function trackPending(transport: LineTransport): { idle(): Promise<void> } {
  const open = new Set<string | number>();
  let waiters: Array<() => void> = [];
  const settle = (): void => {
    if (open.size > 0) return;
    for (const w of waiters) w();
    waiters = [];
  };
  const onmessage = transport.onmessage;
  transport.onmessage = (msg: JSONRPCMessage) => {
    if ('method' in msg && 'id' in msg) open.add(msg.id);
    onmessage?.(msg);
  };
  const send = transport.send.bind(transport);
  transport.send = async (msg: JSONRPCMessage) => {
    try {
      await send(msg);
    } finally {
      if (!('method' in msg) && 'id' in msg && msg.id !== undefined) {
        open.delete(msg.id);
        settle();
      }
    }
  };
  return {
    idle: () => new Promise<void>((r) => (open.size === 0 ? r() : waiters.push(r))),
  };
}
