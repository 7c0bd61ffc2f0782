import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../shared/version.js';
import type { ToolDeps } from './tools/common.js';
import { registerComplete } from './tools/complete.js';
import { registerConsensus } from './tools/consensus.js';
import { registerListModels } from './tools/list-models.js';

export const MCP_SERVER_NAME = 'agentbox';

const INSTRUCTIONS =
  'Tools of the agentbox LLM gateway: `list_models` shows the model aliases, `complete` asks one model, ' +
  '`consensus` asks several models and lets them refine their answers after seeing each other\u2019s.';

/** An McpServer with the three gateway tools; the caller connects it to stdio or to one HTTP request. */
export function createMcpServer(deps: ToolDeps): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  registerComplete(server, deps);
  registerListModels(server, deps);
  registerConsensus(server, deps);
  return server;
}
