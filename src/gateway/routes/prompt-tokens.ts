import type { ClientDialect } from '../dialects/types.js';
import type { RequestBody } from './json-body.js';

type Tokenizer = typeof import('../usage/count-tokens.js');

/**
 * Bodies up to this size are never counted: every context window and long-context threshold is
 * larger than the byte count, which bounds the tokens (each text token is at least one byte).
 */
const COUNT_FROM_BYTES = 4096;

/** The tokenizer's tables (about 18 MB, see usage/o200k.ts): loaded on the first request that may need a count. */
let tokenizer: Tokenizer | undefined;

export async function preparePromptTokens(bodyBytes: number, images: boolean): Promise<void> {
  if (!tokenizer && (images || bodyBytes > COUNT_FROM_BYTES))
    tokenizer = await import('../usage/count-tokens.js');
}

/**
 * The prompt's size in tokens, counted once on first use with the gateway's tokenizer (after
 * `preparePromptTokens`). Without the tokenizer (a small body) it is the byte count, an upper
 * bound. A body the dialect cannot decode (it may still pass through) is estimated at four bytes
 * per token. A body parsed one char per byte is counted as it is, not parsed again.
 */
export function lazyPromptTokens(
  dialect: ClientDialect,
  parsed: RequestBody,
  bodyBytes: number,
): () => number {
  let n: number | undefined;
  return () => {
    if (n !== undefined) return n;
    if (!tokenizer) return (n = bodyBytes);
    try {
      const { body, bytesAsChars } = parsed;
      n = tokenizer.countTokensLocally(dialect.decodeRequest(body), String(body.model ?? ''), {
        bytesAsChars,
      });
    } catch {
      n = Math.ceil(bodyBytes / 4);
    }
    return n;
  };
}
