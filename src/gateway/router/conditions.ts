import type { Deployment, FallbackKind } from '../../config/types.js';
import type { FailureKind } from '../errors.js';

/**
 * Conditional chain entries (`fallback_on`): an entry reserved for some failure kinds is tried
 * only when the failure that ended the previous deployment was one of them. Unconditional
 * entries follow any failure the retry table falls back on, except a content-policy refusal,
 * which only an entry that names it may answer (another model would usually refuse the same).
 */

/** The `fallback_on` class of a failure; undefined for failures that never fall back. */
export function fallbackClass(kind: FailureKind): FallbackKind | undefined {
  switch (kind) {
    case 'rate_limit':
    case 'context_window':
    case 'content_policy':
      return kind;
    case 'server':
    case 'network':
    case 'timeout':
    case 'auth':
    case 'unusable':
      return 'error';
    case 'client':
      return undefined;
  }
}

/** Whether `d` may be tried after a failure of `after` (undefined: as the first attempt). */
export function mayFollow(d: Deployment, after: FailureKind | undefined): boolean {
  if (after === undefined) return d.fallbackOn === undefined;
  const c = fallbackClass(after);
  if (c === undefined) return false;
  return d.fallbackOn ? d.fallbackOn.includes(c) : c !== 'content_policy';
}

/** The index of the next candidate from `from` on that may follow `after`; -1 when none. */
export function nextCandidate(
  candidates: Deployment[],
  from: number,
  after: FailureKind | undefined,
): number {
  for (let i = from; i < candidates.length; i++) if (mayFollow(candidates[i], after)) return i;
  return -1;
}
