import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import { TokenMemo } from '../../../../src/gateway/usage/token-memo.js';

describe('TokenMemo', () => {
  const long = (tag: string): string => `${tag} `.repeat(400);

  it('counts a long text once and answers the same count after', () => {
    const seen: string[] = [];
    const memo = new TokenMemo((t) => (seen.push(t), countTokens(t)));
    const text = long('alpha');
    const first = memo.tokens(text);
    expect(first).toBe(countTokens(text));
    // A new string with the same content (as JSON.parse makes on the next turn) is found too.
    expect(memo.tokens(JSON.parse(JSON.stringify(text)))).toBe(first);
    expect(seen).toHaveLength(1);
  });

  it('counts short texts every time without holding them', () => {
    let calls = 0;
    const memo = new TokenMemo((t) => (calls++, t.length));
    memo.tokens('short');
    memo.tokens('short');
    expect(calls).toBe(2);
    expect(memo.size).toBe(0);
  });

  it('remembers a tool description of a few dozen characters', () => {
    let calls = 0;
    const memo = new TokenMemo((t) => (calls++, t.length));
    const text = 'Reads a file from the local filesystem.';
    memo.tokens(text);
    memo.tokens(JSON.parse(JSON.stringify(text)));
    expect(calls).toBe(1);
    expect(memo.entries).toBe(1);
  });

  it('holds at most its budget of texts, least recently used out first', () => {
    let calls = 0;
    const memo = new TokenMemo((t) => (calls++, t.length), 1_000_000, 3);
    const texts = ['first text of the session', 'second text of it', 'third text of it', 'fourth text of it'];
    for (const t of texts) memo.tokens(t);
    expect(memo.entries).toBe(3);
    calls = 0;
    for (const t of texts.slice(1)) memo.tokens(t);
    expect(calls).toBe(0);
    memo.tokens(texts[0]);
    expect(calls).toBe(1);
  });

  it('holds at most its budget of characters, least recently used out first', () => {
    let calls = 0;
    const memo = new TokenMemo((t) => (calls++, t.length), 5000);
    const [a, b, c] = [long('aaaa'), long('bbbb'), long('cccc')]; // 2,000 chars each
    memo.tokens(a);
    memo.tokens(b);
    memo.tokens(a); // a is now the most recent
    memo.tokens(c); // over budget: b goes
    expect(memo.size).toBeLessThanOrEqual(5000);
    calls = 0;
    memo.tokens(a);
    memo.tokens(c);
    expect(calls).toBe(0);
    memo.tokens(b);
    expect(calls).toBe(1);
  });
});
