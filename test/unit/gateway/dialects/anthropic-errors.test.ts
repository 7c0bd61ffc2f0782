import { describe, expect, it } from 'vitest';
import { gatewayErrorPayload, promptTooLong } from '../../../../src/gateway/dialects/anthropic-encode.js';
import { GatewayError } from '../../../../src/gateway/errors.js';

/** Claude Code's own test for a context overflow, and how it reads the counts (from its 2.1.x binary). */
const isOverflow = (m: string): boolean => m.toLowerCase().includes('prompt is too long');
const counts = (m: string): number[] | undefined =>
  /prompt is too long[^0-9]*(\d+)\s*tokens?\s*>\s*(\d+)/i.exec(m)?.slice(1).map(Number);

describe('context overflow errors in Anthropic words', () => {
  it('an OpenAI overflow becomes "prompt is too long: N tokens > M maximum", keeping the original', () => {
    const original =
      "up/gpt-up: This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.";
    const body = gatewayErrorPayload(new GatewayError('context_window_exceeded', original)) as {
      type: string;
      error: { type: string; message: string };
    };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(isOverflow(body.error.message)).toBe(true);
    expect(counts(body.error.message)).toEqual([9000, 8192]);
    expect(body.error.message).toContain(original);
  });

  it('vLLM wording ("you requested N tokens") is read too; no counts: still recognised, no false counts', () => {
    expect(
      counts(
        promptTooLong(
          "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).",
        ),
      ),
    ).toEqual([5000, 4096]);
    const vague = promptTooLong('ollama/llama3: input exceeds the context window of gpt-4o 8k');
    expect(isOverflow(vague)).toBe(true);
    expect(counts(vague)).toBeUndefined();
  });

  it('a message already in Anthropic words is unchanged; other errors are untouched', () => {
    const m = 'prompt is too long: 210000 tokens > 200000 maximum';
    expect(promptTooLong(m)).toBe(m);
    const other = gatewayErrorPayload(
      new GatewayError('upstream_error', 'maximum context length is 5 tokens'),
    ) as {
      error: { message: string };
    };
    expect(other.error.message).toBe('maximum context length is 5 tokens');
  });
});
