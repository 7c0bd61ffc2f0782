import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import { anthropicMessagesDialect as anthropicDialect } from '../../../../src/gateway/dialects/anthropic-messages.js';
import { parseRequestBody } from '../../../../src/gateway/routes/json-body.js';
import { countTokensLocally } from '../../../../src/gateway/usage/count-tokens.js';

// A body with non-ASCII text (dashes, quotes, accents, CJK, an emoji) in every place the count
// reads: system, a message, a tool result, a tool's description and schema.
const body = {
  model: 'claude-sonnet-4-5',
  max_tokens: 100,
  system: `Be brief — “quoted” café. ${'Context line — ünïcode. '.repeat(60)}`,
  messages: [
    { role: 'user', content: `日本語のテキスト 🎉 ${'more — text '.repeat(80)}` },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't1', name: 'read', input: { path: 'naïve.txt' } }],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't1', content: `Résumé — ${'ligne '.repeat(200)}` }],
    },
  ],
  tools: [
    {
      name: 'read',
      description: 'Read a file — any file',
      input_schema: { type: 'object', description: 'Chemin d’accès' },
    },
  ],
};

describe('countTokensLocally on a body parsed one char per byte', () => {
  it('counts the same tokens as on the properly decoded body, the first time and from the memo', () => {
    const raw = Buffer.from(JSON.stringify(body));
    const parsed = parseRequestBody(raw);
    expect(parsed.bytesAsChars).toBe(true);
    const decoded = anthropicDialect.decodeRequest(parsed.decoded());
    const expected = countTokensLocally(decoded, body.model);
    // The decoded count is a real count of the texts, not the byte length.
    expect(expected).toBeGreaterThan(countTokens(body.system));
    expect(expected).toBeLessThan(raw.length / 2);
    const asBytes = anthropicDialect.decodeRequest(parsed.body);
    expect(countTokensLocally(asBytes, body.model, { bytesAsChars: true })).toBe(expected);
    // Again, from a fresh parse (new strings, the memo's entries found by content).
    const again = parseRequestBody(Buffer.from(JSON.stringify(body)));
    expect(
      countTokensLocally(anthropicDialect.decodeRequest(again.body), body.model, { bytesAsChars: true }),
    ).toBe(expected);
    // Counting the byte form as if it were text would differ: the option is what makes it right.
    expect(countTokensLocally(asBytes, body.model)).not.toBe(expected);
  });
});
