import type { ClientDialect } from '../dialects/types.js';
import { countTokensLocally } from '../usage/count-tokens.js';

/**
 * The prompt's size in tokens, counted once on first use with the gateway's tokenizer. A body the
 * dialect cannot decode (it may still pass through) is estimated at four bytes per token.
 */
export function lazyPromptTokens(
  dialect: ClientDialect,
  decoded: () => Record<string, unknown>,
  bodyBytes: number,
): () => number {
  let n: number | undefined;
  return () => {
    if (n !== undefined) return n;
    try {
      const body = decoded();
      n = countTokensLocally(dialect.decodeRequest(body), String(body.model ?? ''));
    } catch {
      n = Math.ceil(bodyBytes / 4);
    }
    return n;
  };
}
