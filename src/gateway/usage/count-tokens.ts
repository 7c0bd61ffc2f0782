import { countTokens as countText } from 'gpt-tokenizer';
import type { CanonicalRequest, ContentBlock } from '../canonical.js';
import { TokenMemo } from './token-memo.js';

/** One memo per daemon: a session's earlier turns are counted once, not on every turn. */
const memo = new TokenMemo(countText);
const countTokens = (text: string): number => memo.tokens(text);

/** The encoding `gpt-tokenizer`'s default export counts with (OpenAI's current models'). */
export const TOKENIZER = 'o200k_base';

/** Per-message framing overhead of chat formats (role markers, separators), as OpenAI documents it. */
const PER_MESSAGE = 3;
const PER_TOOL = 8;
/** A typical image costs about this many tokens at default detail. */
const PER_IMAGE = 765;

/**
 * Count input tokens with a real BPE tokenizer (o200k_base) over the text an upstream would see:
 * system, every message's text, tool calls and results, and tool definitions. Used when the
 * deployment cannot count for us (it does not speak Anthropic's count_tokens).
 */
export function countTokensLocally(req: CanonicalRequest, _model: string): number {
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

function blocks(content: ContentBlock[]): number {
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
        n += typeof b.content === 'string' ? countTokens(b.content) : blocks(b.content);
        break;
    }
  }
  return n;
}
