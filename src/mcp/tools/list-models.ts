import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { GatewayCallError } from '../errors.js';
import { toolError, type ToolDeps } from './common.js';

export const listModelsOutput = {
  models: z.array(
    z.object({
      name: z.string().describe('The alias to pass as model'),
      deployments: z
        .array(z.object({ provider: z.string(), model: z.string() }))
        .describe('The fallback chain, in order'),
    }),
  ),
};

export type ModelList = {
  models: Array<{ name: string; deployments: Array<{ provider: string; model: string }> }>;
};

interface ModelInfoRow {
  model_name?: unknown;
  litellm_params?: { model?: unknown };
  model_info?: { provider?: unknown; model?: unknown };
}

/** GET /model/info rows → aliases with their chains, in the daemon's order; only provider and model. */
export function groupModelInfo(body: unknown): ModelList {
  const rows = (body as { data?: unknown })?.data;
  if (!Array.isArray(rows))
    throw new GatewayCallError(502, 'bad_response', 'the gateway answered /model/info without a data list');
  const byName = new Map<string, Array<{ provider: string; model: string }>>();
  for (const row of rows as ModelInfoRow[]) {
    if (typeof row?.model_name !== 'string') continue;
    let provider = typeof row.model_info?.provider === 'string' ? row.model_info.provider : '';
    let model = typeof row.model_info?.model === 'string' ? row.model_info.model : '';
    const full = typeof row.litellm_params?.model === 'string' ? row.litellm_params.model : '';
    if ((!provider || !model) && full.includes('/')) {
      provider ||= full.slice(0, full.indexOf('/'));
      model ||= full.slice(full.indexOf('/') + 1);
    }
    if (!byName.has(row.model_name)) byName.set(row.model_name, []);
    if (provider && model) byName.get(row.model_name)!.push({ provider, model });
  }
  return { models: [...byName].map(([name, deployments]) => ({ name, deployments })) };
}

export function modelListText(list: ModelList): string {
  if (list.models.length === 0) return 'The gateway has no models configured.';
  return list.models
    .map(
      (m) =>
        `${m.name}: ${m.deployments.map((d) => `${d.provider}/${d.model}`).join(' -> ') || '(empty chain)'}`,
    )
    .join('\n');
}

/** `list_models`: the gateway's aliases and their fallback chains (never keys). */
export function registerListModels(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_models',
    {
      title: 'List model aliases',
      description:
        'List the model aliases the agentbox gateway serves, each with its fallback chain (provider and model).',
      outputSchema: listModelsOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (extra) => {
      try {
        const reply = await deps.gateway.get('/model/info', extra.signal);
        const list = groupModelInfo(reply.body);
        return { content: [{ type: 'text', text: modelListText(list) }], structuredContent: list };
      } catch (e) {
        return toolError(e, deps.log, 'list_models');
      }
    },
  );
}
