import type { Deployment } from '../../config/types.js';
import type { RequestTraits } from '../request-traits.js';

/** A prompt counted locally must fit the context window with this much to spare. */
export const PROMPT_MARGIN = 1.05;

export interface CapabilityInput {
  traits: RequestTraits;
  /** The request body's size: an upper bound on its text tokens, so most prompts need no count. */
  bodyBytes: number;
  /** The prompt's tokens, counted with the gateway's tokenizer (called only when it may matter). */
  promptTokens: () => number;
  /** The context window the pricing catalogue knows for the deployment, if any. */
  catalogWindow: (d: Deployment) => number | undefined;
}

/**
 * Why `d` cannot serve this request, or undefined when it can: images to a deployment without
 * vision, tools without tool use, a JSON schema without structured output, thinking without
 * reasoning, a prompt over its context window. A capability the config does not deny is assumed.
 */
export function cannotServe(d: Deployment, i: CapabilityInput): string | undefined {
  const c = d.capabilities ?? {};
  const t = i.traits;
  if (t.images && c.vision === false) return 'no vision (the request has images)';
  if (t.tools && c.tools === false) return 'no tool use (the request has tools)';
  if (t.jsonSchema && c.jsonSchema === false) return 'no structured output (the request has a JSON schema)';
  if (t.reasoning && c.reasoning === false) return 'no reasoning (the request asks for thinking)';
  const window = d.contextWindow ?? i.catalogWindow(d);
  if (window === undefined) return undefined;
  // Each token is at least one byte of the body, except images (counted at a flat rate).
  if (!t.images && i.bodyBytes * PROMPT_MARGIN <= window) return undefined;
  const tokens = i.promptTokens();
  if (tokens * PROMPT_MARGIN > window)
    return `prompt of about ${tokens} tokens does not fit its ${window}-token context window`;
  return undefined;
}
