import type { TraitRoutes } from '../../config/types.js';
import type { RequestTraits } from '../request-traits.js';

export type TraitRouteName = 'long_context' | 'background' | 'web_search' | 'thinking' | 'images';

/**
 * `litellm.routes`: the alias a request goes to by what it is, checked in a fixed order so the same
 * request takes the same route every time. A route to the alias the request already names is not
 * taken (nothing to change). The prompt is counted only for long_context, and only when the body
 * is large enough to be over the threshold (each token is at least one byte, images aside).
 */
export function traitRoute(
  routes: TraitRoutes | undefined,
  requested: string,
  t: RequestTraits,
  prompt: { bodyBytes: number; tokens: () => number },
): { name: TraitRouteName; alias: string } | undefined {
  if (!routes) return undefined;
  const take = (name: TraitRouteName, alias: string | undefined, when: () => boolean) =>
    alias !== undefined && alias !== requested && when() ? { name, alias } : undefined;
  return (
    take(
      'long_context',
      routes.longContext,
      () =>
        (t.images || prompt.bodyBytes > routes.longContextTokens) &&
        prompt.tokens() > routes.longContextTokens,
    ) ??
    take('background', routes.background, () => t.background) ??
    take('web_search', routes.webSearch, () => t.webSearch) ??
    take('thinking', routes.thinking, () => t.reasoning) ??
    take('images', routes.images, () => t.images)
  );
}
