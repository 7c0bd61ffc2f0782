import { countO200k as countText } from './o200k.js';
import type { CanonicalRequest, ContentBlock } from '../canonical.js';
import { TokenMemo } from './token-memo.js';

/** One memo per daemon: a session's earlier turns are counted once, not on every turn. */
const memo = new TokenMemo(countText);
const countChars = (text: string): number => memo.tokens(text);

/**
 * Texts of a body parsed one char per UTF-8 byte (`bytesAsChars`, see routes/json-body.ts): an
 * ASCII text is the same either way; another is counted as the characters its bytes spell, and
 * remembered under its byte form, so a later turn's identical block costs a lookup and no decode.
 */
const NON_ASCII = /[\u0080-\u00ff]/;
const byteMemo = new TokenMemo((bytes) => countText(Buffer.from(bytes, 'latin1').toString('utf8')));
const countByteTokens = (text: string): number =>
  NON_ASCII.test(text) ? byteMemo.tokens(text) : countChars(text);

/** The encoding counted in (OpenAI's current models'; see o200k.ts). */
export const TOKENIZER = 'o200k_base';

/** Tokens of generated text (not remembered: an answer is seen once). */
export const countOutputTokens = countText;

/** Per-message framing overhead of chat formats (role markers, separators), as OpenAI documents it. */
const PER_MESSAGE = 3;
const PER_TOOL = 8;
/** A typical image costs about this many tokens at default detail. */
const PER_IMAGE = 765;

/**
 * Count input tokens with a real BPE tokenizer (o200k_base) over the text an upstream would see:
 * system, every message's text, tool calls and results, and tool definitions. Used when the
 * deployment cannot count for us (it does not speak Anthropic's count_tokens). `bytesAsChars`: the
 * request was decoded from a body parsed one char per UTF-8 byte; the count is the same.
 */
export function countTokensLocally(
  req: CanonicalRequest,
  _model: string,
  opts: { bytesAsChars?: boolean } = {},
): number {
  const countTokens = opts.bytesAsChars ? countByteTokens : countChars;
  const blocks = (content: ContentBlock[]): number => countBlocks(content, countTokens);
  let n = 0;
  for (const s of req.system) n += countTokens(s.text);
  if (req.system.length) n += PER_MESSAGE;
  for (const m of req.messages) n += PER_MESSAGE + blocks(m.content);
  for (const t of req.tools ?? []) {
    n += PER_TOOL + countTokens(t.name) + (t.description ? countTokens(t.description) : 0);
    if (t.inputSchema) n += countTokens(JSON.stringify(t.inputSchema));
  }
  return Math.max(1, n);
}

function countBlocks(content: ContentBlock[], countTokens: (text: string) => number): number {
  let n = 0;
  for (const b of content) {
    switch (b.type) {
      case 'text':
        n += countTokens(b.text);
        break;
      case 'thinking':
        n += countTokens(b.text);
        break;
      case 'image':
        n += PER_IMAGE;
        break;
      case 'tool_use':
        n +=
          countTokens(b.name) +
          countTokens(typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {}));
        break;
      case 'tool_result':
        n += typeof b.content === 'string' ? countTokens(b.content) : countBlocks(b.content, countTokens);
        break;
    }
  }
  return n;
}
