import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ask, type ChatMessage } from '../ask.js';
import { UsageTotals, promptSchema, toolError, usageSchema, type ToolDeps } from './common.js';

export const completeInput = {
  prompt: promptSchema.describe('The user message to send'),
  model: z.string().min(1).default('default').describe('A model alias from list_models (or provider/model)'),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Upper bound for the answer, in tokens (default: the alias\u2019s configured value, else the model\u2019s)',
    ),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .optional()
    .describe(
      'Sampling temperature, 0..2 (default: the alias\u2019s configured value, else the model\u2019s)',
    ),
  system: z.string().optional().describe('An optional system prompt'),
};

export const completeOutput = {
  model: z.string().describe('The deployment that answered, as provider/model'),
  content: z.string().describe('The completion text'),
  usage: usageSchema,
};

/** `complete`: one prompt to one alias through the gateway; the text, plus who answered and what it cost. */
export function registerComplete(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'complete',
    {
      title: 'Complete a prompt',
      description:
        'Send a prompt to a model through the agentbox gateway (with its fallback chain) and return the answer. ' +
        'Use list_models to see the aliases.',
      inputSchema: completeInput,
      outputSchema: completeOutput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra) => {
      const messages: ChatMessage[] = [];
      if (args.system) messages.push({ role: 'system', content: args.system });
      messages.push({ role: 'user', content: args.prompt });
      try {
        const a = await ask(
          deps.gateway,
          { model: args.model, messages, maxTokens: args.max_tokens, temperature: args.temperature },
          extra.signal,
        );
        const usage = new UsageTotals();
        usage.add(a.tokens, a.costUsd);
        deps.log?.info({ tool: 'complete', model: args.model, deployment: a.deployment }, 'mcp tool call');
        return {
          content: [{ type: 'text', text: a.content }],
          structuredContent: { model: a.deployment, content: a.content, usage: usage.toJSON() },
        };
      } catch (e) {
        return toolError(e, deps.log, 'complete');
      }
    },
  );
}
