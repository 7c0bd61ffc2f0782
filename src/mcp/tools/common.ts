import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../../shared/log.js';
import type { TokenCount } from '../ask.js';
import { describeError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { AttachmentError, type AttachmentLimits } from '../attachments.js';

/** What every tool gets: the way to the daemon, a logger (stderr; never prompt text), attachment caps. */
export interface ToolDeps {
  gateway: GatewayClient;
  log?: Logger;
  limits?: AttachmentLimits;
}

export const imagesSchema = z
  .array(z.string().min(1))
  .max(16)
  .optional()
  .describe(
    'Images to show the model: https:// URLs (passed on), data: URLs, or paths of PNG/JPEG/GIF/WebP files this server can read',
  );

export const filesSchema = z
  .array(z.string().min(1))
  .max(32)
  .optional()
  .describe(
    'Paths of text files (source, CSV, JSON, logs) whose contents are included in the prompt with their names',
  );

export const usageSchema = z.object({
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
  cost_usd: z.number().min(0).optional().describe('USD, when the gateway knows the prices'),
  cost_partial: z
    .boolean()
    .optional()
    .describe('true when some call\u2019s price is unknown: cost_usd covers only the others'),
});
export type UsageOut = z.infer<typeof usageSchema>;

export const promptSchema = z.string().regex(/\S/, 'prompt must not be empty');

/** Token and cost totals over several calls; cost only when at least one call reported it. */
export class UsageTotals {
  private input = 0;
  private output = 0;
  private cost: number | undefined;
  private unpriced = 0;

  add(tokens: TokenCount, costUsd?: number): void {
    this.input += tokens.input;
    this.output += tokens.output;
    if (costUsd !== undefined) this.cost = (this.cost ?? 0) + costUsd;
    else this.unpriced++;
  }

  toJSON(): UsageOut {
    const out: UsageOut = {
      input_tokens: this.input,
      output_tokens: this.output,
      total_tokens: this.input + this.output,
    };
    if (this.cost !== undefined) out.cost_usd = Math.round(this.cost * 1e8) / 1e8;
    if (this.cost !== undefined && this.unpriced > 0) out.cost_partial = true;
    return out;
  }
}

/** A failed call as a tool result the client's model can read. */
export function toolError(e: unknown, log?: Logger, tool?: string): CallToolResult {
  const text =
    e instanceof AttachmentError ? `agentbox mcp: unusable attachments:\n${e.message}` : describeError(e);
  log?.warn({ tool, error: text.split('\n')[0] }, 'mcp tool failed');
  return { content: [{ type: 'text', text }], isError: true };
}
