import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Agent } from 'undici';
import type { Logger } from '../shared/log.js';
import { createAutostart } from './autostart.js';
import { DaemonDownError, START_COMMAND } from './errors.js';
import { createGatewayClient, type Locate } from './gateway-client.js';
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
  const server = createMcpServer({ gateway, log });
  const stdin = opts.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, opts.stdout ?? process.stdout);

  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stdin.off('end', close);
      await server.close().catch(() => {});
      await agent.close().catch(() => {});
      log.info('mcp server stopped');
      done();
    })());
  transport.onclose = () => void close();
  stdin.once('end', close);
  await server.connect(transport);
  log.info({ autostart: opts.autostart }, 'agentbox mcp ready on stdio');

  if (start) {
    // Start the daemon now so the first call does not wait for it; calls share this start.
    void find()
      .then((t) => (t ? undefined : start()))
      .catch((e: Error) => log.warn({ error: e.message, command: START_COMMAND }, 'autostart failed'));
  }
  return { closed, close };
}
