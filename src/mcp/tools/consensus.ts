import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UsageTotals, promptSchema, toolError, usageSchema, type ToolDeps } from './common.js';
import { consensusText, runConsensus } from './consensus-run.js';

export const MAX_CONSENSUS_MODELS = 8;

export const consensusInput = {
  prompt: promptSchema.describe('The question every model answers'),
  models: z
    .array(z.string().min(1))
    .min(2, 'consensus needs at least 2 models')
    .max(MAX_CONSENSUS_MODELS, `consensus takes at most ${MAX_CONSENSUS_MODELS} models`)
    .describe('2 to 8 distinct model aliases (see list_models)'),
  cross_feedback: z
    .boolean()
    .default(true)
    .describe('Second round: show each model the others\u2019 answers and ask for a refined one'),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .optional()
    .describe(
      'Sampling temperature, 0..2 (default: each alias\u2019s configured value, else the model\u2019s)',
    ),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Upper bound for each answer, in tokens (default: each alias\u2019s configured value, else the model\u2019s)',
    ),
};

const answerSchema = z.union([
  z.object({
    model: z.string(),
    deployment: z.string().optional().describe('The deployment that answered, as provider/model'),
    content: z.string(),
  }),
  z.object({ model: z.string(), error: z.string() }),
]);
export type ConsensusAnswer = z.infer<typeof answerSchema>;

export const consensusOutput = {
  initial: z.array(answerSchema).describe('Each model\u2019s first answer, or its error'),
  refined: z
    .array(answerSchema)
    .nullable()
    .describe('Answers after seeing the others; null without cross_feedback'),
  usage: usageSchema.describe('Totals over every call'),
};

/** `consensus`: the same prompt to 2–8 models in parallel, optionally a cross-feedback round; failures are reported per model. */
export function registerConsensus(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'consensus',
    {
      title: 'Ask several models',
      description:
        'Ask 2 to 8 models the same prompt in parallel through the agentbox gateway. With cross_feedback (the default) ' +
        'each model then sees the others\u2019 answers and gives a refined one. A model that fails is reported with its error.',
      inputSchema: consensusInput,
      outputSchema: consensusOutput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args, extra): Promise<CallToolResult> => {
      const dup = args.models.find((m, i) => args.models.indexOf(m) !== i);
      if (dup !== undefined) {
        return toolError(
          new Error(`models must be distinct: "${dup}" appears more than once`),
          deps.log,
          'consensus',
        );
      }
      const usage = new UsageTotals();
      try {
        const result = await runConsensus(
          deps.gateway,
          {
            prompt: args.prompt,
            models: args.models,
            crossFeedback: args.cross_feedback,
            maxTokens: args.max_tokens,
            temperature: args.temperature,
          },
          usage,
          extra.signal,
        );
        const structured = { initial: result.initial, refined: result.refined, usage: usage.toJSON() };
        deps.log?.info(
          {
            tool: 'consensus',
            models: args.models.length,
            failed: result.initial.filter((a) => 'error' in a).length,
          },
          'mcp tool call',
        );
        if (result.initial.every((a) => 'error' in a)) {
          return {
            content: [{ type: 'text', text: `Every model failed.\n\n${consensusText(structured)}` }],
            isError: true,
          };
        }
        return {
          content: [{ type: 'text', text: consensusText(structured) }],
          structuredContent: structured,
        };
      } catch (e) {
        return toolError(e, deps.log, 'consensus');
      }
    },
  );
}
