import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ask, type ChatMessage } from '../ask.js';
import { DEFAULT_ATTACHMENT_LIMITS, userContent } from '../attachments.js';
import { admitToolCall, appendTurns, forgetThread, threadTurns } from '../daemon-state.js';
import { UsageTotals, filesSchema, imagesSchema, toolError, usageSchema, type ToolDeps } from './common.js';

export const completeInput = {
  prompt: z.string().optional().describe('The user message to send (required unless forget is true)'),
  model: z.string().min(1).default('default').describe('A model alias from list_models (or provider/model)'),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Upper bound for the answer, in tokens (default: the alias\u2019s own)'),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .optional()
    .describe('Sampling temperature, 0..2 (default: the alias\u2019s own; reasoning models take none)'),
  system: z.string().optional().describe('An optional system prompt'),
  images: imagesSchema,
  files: filesSchema,
  conversation_id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'conversation_id: 1 to 128 characters of A-Z a-z 0-9 . _ : -')
    .optional()
    .describe(
      'A thread: earlier turns with the same id are sent along, and this exchange is kept for the next',
    ),
  forget: z.boolean().optional().describe('With conversation_id: drop that thread (and ask nothing)'),
};

export const completeOutput = {
  model: z
    .string()
    .optional()
    .describe('The deployment that answered, as provider/model (absent for forget)'),
  content: z.string().describe('The completion text'),
  usage: usageSchema.optional(),
  cost_usd: z.number().min(0).optional().describe('USD, when the gateway knows the price'),
  latency_ms: z.number().int().min(0).optional().describe('Time the gateway took to answer'),
  attempts: z.number().int().min(0).optional().describe('Upstream attempts the gateway made'),
  fallbacks: z.number().int().min(0).optional().describe('Deployments it moved past'),
  conversation_id: z.string().optional(),
  turns: z.number().int().min(0).optional().describe('Messages the thread now holds'),
  forgotten: z.boolean().optional().describe('forget: whether a thread was dropped'),
};

/** `complete`: one prompt (with images, files, a thread) to one alias through the gateway. */
export function registerComplete(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'complete',
    {
      title: 'Complete a prompt',
      description:
        'Send a prompt to a model through the agentbox gateway (with its fallback chain) and return the answer. ' +
        'Attach images (URLs, data: URLs or file paths) and text files; pass conversation_id to continue a thread. ' +
        'Use list_models to see the aliases.',
      inputSchema: completeInput,
      outputSchema: completeOutput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra): Promise<CallToolResult> => {
      const thread = args.conversation_id;
      try {
        if (args.forget) {
          if (!thread) throw new Error('forget needs the conversation_id of the thread to drop');
          const gone = await forgetThread(deps.gateway, thread, extra.signal);
          const said = gone ? `Forgot thread ${thread}.` : `No thread ${thread} was kept.`;
          return {
            content: [{ type: 'text', text: said }],
            structuredContent: { content: said, conversation_id: thread, turns: 0, forgotten: gone },
          };
        }
        if (!args.prompt || !/\S/.test(args.prompt)) throw new Error('prompt must not be empty');
        const { content, cut } = await userContent(
          args.prompt,
          args.images,
          args.files,
          deps.limits ?? DEFAULT_ATTACHMENT_LIMITS,
        );
        await admitToolCall(deps.gateway, 'complete', extra.signal);
        const history = thread ? await threadTurns(deps.gateway, thread, extra.signal) : [];
        const messages: ChatMessage[] = [];
        if (args.system) messages.push({ role: 'system', content: args.system });
        messages.push(...history, { role: 'user', content });
        const a = await ask(
          deps.gateway,
          {
            model: args.model,
            messages,
            maxTokens: args.max_tokens,
            temperature: args.temperature,
            tool: 'complete',
          },
          extra.signal,
        );
        const turns = thread
          ? await appendTurns(
              deps.gateway,
              thread,
              [
                { role: 'user', content },
                { role: 'assistant', content: a.content },
              ],
              extra.signal,
            )
          : undefined;
        const usage = new UsageTotals();
        usage.add(a.tokens, a.costUsd);
        deps.log?.info(
          { tool: 'complete', model: args.model, deployment: a.deployment, thread: thread !== undefined },
          'mcp tool call',
        );
        const structured: Record<string, unknown> = {
          model: a.deployment,
          content: a.content,
          usage: usage.toJSON(),
          latency_ms: a.latencyMs,
        };
        if (a.costUsd !== undefined) structured.cost_usd = a.costUsd;
        if (a.attempts !== undefined) structured.attempts = a.attempts;
        if (a.fallbacks !== undefined) structured.fallbacks = a.fallbacks;
        if (thread) Object.assign(structured, { conversation_id: thread, turns });
        const text = cut.length
          ? `${a.content}\n\n[agentbox: attached files were cut: ${cut.join('; ')}]`
          : a.content;
        return { content: [{ type: 'text', text }], structuredContent: structured };
      } catch (e) {
        return toolError(e, deps.log, 'complete');
      }
    },
  );
}
