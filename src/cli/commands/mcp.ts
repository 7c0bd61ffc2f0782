import { createLogger } from '../../shared/log.js';

export interface McpOptions {
  autostart?: boolean;
}

/**
 * `agentbox mcp [--autostart]`: the MCP server on stdio. Loaded only for this command, so the rest
 * of the CLI never pays for the MCP SDK. Returns once connected; the open stdin keeps the process
 * alive, and it ends when the client closes stdin.
 */
export async function mcp(opts: McpOptions): Promise<void> {
  const { runStdioShim } = await import('../../mcp/stdio.js');
  await runStdioShim({ env: process.env, autostart: Boolean(opts.autostart), log: createLogger() });
}
