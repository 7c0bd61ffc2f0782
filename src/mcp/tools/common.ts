import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../../shared/log.js';
import type { TokenCount } from '../ask.js';
import { describeError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';

/** What every tool gets: the way to the daemon and a logger (stderr; never prompt text). */
export interface ToolDeps {
  gateway: GatewayClient;
  log?: Logger;
}

export const usageSchema = z.object({
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
  cost_usd: z.number().min(0).optional().describe('USD, when the gateway knows the prices'),
});
export type UsageOut = z.infer<typeof usageSchema>;

export const promptSchema = z.string().regex(/\S/, 'prompt must not be empty');

/** Token and cost totals over several calls; cost only when at least one call reported it. */
export class UsageTotals {
  private input = 0;
  private output = 0;
  private cost: number | undefined;

  add(tokens: TokenCount, costUsd?: number): void {
    this.input += tokens.input;
    this.output += tokens.output;
    if (costUsd !== undefined) this.cost = (this.cost ?? 0) + costUsd;
  }

  toJSON(): UsageOut {
    const out: UsageOut = {
      input_tokens: this.input,
      output_tokens: this.output,
      total_tokens: this.input + this.output,
    };
    if (this.cost !== undefined) out.cost_usd = Math.round(this.cost * 1e8) / 1e8;
    return out;
  }
}

/** A failed call as a tool result the client's model can read. */
export function toolError(e: unknown, log?: Logger, tool?: string): CallToolResult {
  const text = describeError(e);
  log?.warn({ tool, error: text.split('\n')[0] }, 'mcp tool failed');
  return { content: [{ type: 'text', text }], isError: true };
}
