import type { z } from 'zod';
import type { ConfigIssue } from './types.js';
import { knownKeysAt } from './coerce.js';

export type PathSegment = string | number;

/**
 * `['litellm', 'models', 'default', 1, 'provider']` → `litellm.models.default[1].provider`.
 * Keys that are not plain words (globs, dotted model names) are quoted: `litellm.models["claude-*"]`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(root)';
}

/** One line per problem, as printed by the CLI and shown in `status`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/** Turns zod's issues into `path: message` problems, one per unknown key, with a suggestion when close. */
export function zodIssuesToConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const iss of issues) {
    const path = iss.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      for (const key of iss.keys) {
        const near = closest(key, known);
        const hint = near
          ? ` (did you mean "${near}"?)`
          : known.length
            ? ` (expected one of: ${known.join(', ')})`
            : '';
        out.push({ path: formatPath([...path, key]), message: `unknown key${hint}` });
      }
      continue;
    }
    out.push({ path: formatPath(path), message: describe(iss) });
  }
  return out;
}

function describe(iss: z.core.$ZodIssue): string {
  if (iss.code === 'invalid_type') return iss.message.replace(/^Invalid input: /, '');
  if (iss.code === 'invalid_value' && iss.values.length) {
    return `expected one of: ${iss.values.map((v) => String(v)).join(', ')}`;
  }
  if (iss.code === 'invalid_key' && iss.issues.length) return describe(iss.issues[0] as z.core.$ZodIssue);
  const defaultMessage = /^Too (small|big)/.test(iss.message);
  if ((iss.code === 'too_small' || iss.code === 'too_big') && defaultMessage) {
    const op = iss.code === 'too_small' ? (iss.inclusive ? '>=' : '>') : iss.inclusive ? '<=' : '<';
    const bound = iss.code === 'too_small' ? iss.minimum : iss.maximum;
    if (iss.origin === 'number') return `must be ${op} ${bound}`;
    if (iss.origin === 'string' && iss.code === 'too_small' && Number(bound) <= 1) return 'must not be empty';
  }
  return iss.message;
}

/** The known key at most two edits away (or sharing most of its start), to catch typos such as `api-key`. */
function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestD = 3;
  for (const cand of known) {
    if (cand === k) return cand;
    let d = distance(k, cand);
    // `num_retry` for `num_retries`: a long shared start is a typo too.
    if (commonPrefix(k, cand) >= Math.max(4, Math.ceil(0.7 * Math.min(k.length, cand.length))))
      d = Math.min(d, 2);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
