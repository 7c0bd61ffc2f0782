import type { PathSegment } from '../format-issues.js';
import { isObj } from './deployment.js';
import type { IgnoredList } from './ignored.js';

/**
 * LiteLLM's fallbacks as agentbox chains. `fallbacks: [{a: [b, c]}]` means: when group a has
 * failed, try group b, then group c (their own deployments, not their fallbacks);
 * `default_fallbacks` (or a `"*"` entry) serves every group without its own entry.
 * `context_window_fallbacks` / `content_policy_fallbacks` apply only to that kind of failure, and
 * once such a list is set, a group it does not name gets no fallback for that kind at all (LiteLLM
 * re-raises). Each fallback deployment joins a's chain with `fallback_on` saying after which
 * failures it may be tried.
 */

export type FallbackKind = 'rate_limit' | 'error' | 'context_window' | 'content_policy';

export interface FallbackLists {
  generic?: unknown;
  contextWindow?: unknown;
  contentPolicy?: unknown;
  defaults?: unknown;
  /** Where each list came from, for messages. */
  paths: {
    generic: PathSegment[];
    contextWindow: PathSegment[];
    contentPolicy: PathSegment[];
    defaults: PathSegment[];
  };
}

export interface FallbackStep {
  group: string;
  on: FallbackKind[];
}

/** The fallback groups of `group`, in the order LiteLLM tries them, each with its condition. */
export function fallbackSteps(
  group: string,
  lists: FallbackLists,
  groups: ReadonlySet<string>,
  ignored: IgnoredList,
  seen: Set<string>,
): FallbackStep[] {
  const generic =
    targets(lists.generic, lists.paths.generic, group, groups, ignored, seen, true) ??
    defaultTargets(lists, groups, ignored, seen);
  const cw = targets(lists.contextWindow, lists.paths.contextWindow, group, groups, ignored, seen, false);
  const cp = targets(lists.contentPolicy, lists.paths.contentPolicy, group, groups, ignored, seen, false);
  const genericOn: FallbackKind[] = ['rate_limit', 'error'];
  if (lists.contextWindow === undefined) genericOn.push('context_window');
  if (lists.contentPolicy === undefined) genericOn.push('content_policy');
  return [
    ...(generic ?? []).filter((g) => g !== group).map((g) => ({ group: g, on: genericOn })),
    ...(cw ?? []).map((g): FallbackStep => ({ group: g, on: ['context_window'] })),
    ...(cp ?? []).map((g): FallbackStep => ({ group: g, on: ['content_policy'] })),
  ];
}

/**
 * The target groups a list gives `group` (undefined: the list has no entry for it). Entries that
 * are not `{name: [groups]}` and targets that are no group are reported once each (`seen`).
 */
function targets(
  list: unknown,
  path: PathSegment[],
  group: string,
  groups: ReadonlySet<string>,
  ignored: IgnoredList,
  seen: Set<string>,
  allowStar: boolean,
): string[] | undefined {
  if (list === undefined || list === null) return undefined;
  const once = reportOnce(ignored, seen);
  if (!Array.isArray(list)) {
    once(path, list, 'expected a list of {model_name: [fallback model_names]}');
    return undefined;
  }
  let star: string[] | undefined;
  let found: string[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isObj(item)) {
      once([...path, i], item, 'expected {model_name: [fallback model_names]}');
      continue;
    }
    for (const [from, to] of Object.entries(item)) {
      if (from !== '*' && !groups.has(from))
        once([...path, i, from], to, `no model_name "${from}" in model_list`);
      if (from !== group && !(allowStar && from === '*')) continue;
      const names = (Array.isArray(to) ? to : [to]).filter((t, j): t is string => {
        if (typeof t === 'string' && groups.has(t) && t !== from) return true;
        once(
          [...path, i, from, j],
          t,
          typeof t === 'string' && t === from
            ? 'a group cannot fall back to itself'
            : `no model_name ${JSON.stringify(t)} in model_list`,
        );
        return false;
      });
      if (from === group) found ??= names;
      else star ??= names;
    }
  }
  return found ?? star;
}

function defaultTargets(
  lists: FallbackLists,
  groups: ReadonlySet<string>,
  ignored: IgnoredList,
  seen: Set<string>,
): string[] | undefined {
  const d = lists.defaults;
  if (d === undefined || d === null) return undefined;
  const path = lists.paths.defaults;
  const once = reportOnce(ignored, seen);
  if (!Array.isArray(d)) {
    once(path, d, 'expected a list of model_names');
    return undefined;
  }
  return d.filter((t, j): t is string => {
    if (typeof t === 'string' && groups.has(t)) return true;
    once([...path, j], t, `no model_name ${JSON.stringify(t)} in model_list`);
    return false;
  });
}

/** Reports each path once, however many groups look at the same list. */
function reportOnce(ignored: IgnoredList, seen: Set<string>) {
  return (p: PathSegment[], v: unknown, reason: string): void => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return;
    seen.add(key);
    ignored.add(p, v, reason);
  };
}
