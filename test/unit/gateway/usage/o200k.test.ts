import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countTokens, encode } from 'gpt-tokenizer';
import { countO200k } from '../../../../src/gateway/usage/o200k.js';
import { seeded } from '../../../helpers/seeded.js';

// The gateway's compact o200k_base counter must count what gpt-tokenizer (the library whose rank
// file and split pattern it reads) counts, token for token.

/** Text mixing ASCII, Latin/Greek/Cyrillic, CJK, emoji (astral), digits runs and whitespace kinds. */
function mixed(rand: () => number, len: number): string {
  let s = '';
  for (let k = 0; k < len; k++) {
    const r = rand();
    if (r < 0.45) s += String.fromCharCode(32 + Math.floor(rand() * 95));
    else if (r < 0.6) s += String.fromCodePoint(0xa0 + Math.floor(rand() * 0x500));
    else if (r < 0.72) s += String.fromCodePoint(0x3040 + Math.floor(rand() * 0x6000));
    else if (r < 0.78) s += String.fromCodePoint(0x1f300 + Math.floor(rand() * 0x300));
    else if (r < 0.85) s += String(Math.floor(rand() * 1e6));
    else s += [' ', '  ', '\n', '\r\n', '\t', '\n\n', "'s", "'LL"][Math.floor(rand() * 8)];
  }
  return s;
}

describe('countO200k', () => {
  it('counts a real Claude Code request and each of its texts as gpt-tokenizer does', () => {
    const raw = readFileSync(
      new URL('../../../../bench/fixtures/claude-code-request.json', import.meta.url),
      'utf8',
    );
    const body = JSON.parse(raw) as { system: unknown; messages: { content: unknown }[]; tools: unknown[] };
    const texts = [raw, JSON.stringify(body.system), JSON.stringify(body.tools)];
    for (const m of body.messages) {
      if (typeof m.content === 'string') texts.push(m.content);
      else
        for (const b of m.content as Record<string, unknown>[])
          texts.push(typeof b.text === 'string' ? b.text : JSON.stringify(b));
    }
    for (const t of texts) expect(countO200k(t)).toBe(countTokens(t));
    // Not a length heuristic: a 100 KB prompt is some tens of thousands of tokens.
    expect(countO200k(raw)).toBeGreaterThan(raw.length / 8);
    expect(countO200k(raw)).toBeLessThan(raw.length / 2);
  });

  it('counts 2,000 generated multilingual texts as gpt-tokenizer does', () => {
    const rand = seeded(17);
    const wrong: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = mixed(rand, 1 + Math.floor(rand() * 300));
      if (countO200k(t) !== countTokens(t)) wrong.push(JSON.stringify(t));
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('counts single characters, empty text, long runs and byte-level merges', () => {
    for (const t of [
      '',
      'a',
      ' ',
      '\n',
      'é',
      '日',
      '🎉',
      'x'.repeat(5000),
      '🎉'.repeat(300),
      ' '.repeat(1000),
      '1234567890'.repeat(50),
    ])
      expect(countO200k(t)).toBe(countTokens(t));
  });

  it('counts text that spells a special token as the text it is', () => {
    const t = 'the model stops at <|endoftext|> and <|im_start|>';
    // gpt-tokenizer refuses such text by default; encoded as ordinary text it gives this count.
    expect(() => countTokens(t)).toThrow();
    expect(countO200k(t)).toBe(encode(t, { disallowedSpecial: new Set() }).length);
  });
});
