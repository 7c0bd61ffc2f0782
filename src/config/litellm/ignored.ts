import { formatPath, type PathSegment } from '../format-issues.js';
import type { IgnoredKey } from '../types.js';

export type { IgnoredKey };

/**
 * What a LiteLLM proxy file sets that agentbox does not honour: the key's path as written in the
 * file, a short summary of its value (never a secret) and why. Printed one line each by `start`,
 * `config validate` and `status`, and written as comments by `config import`.
 */
/** `ignored: litellm_settings.callbacks [langfuse]: agentbox has no callback integrations; use /metrics` */
export function formatIgnored(i: IgnoredKey): string {
  return `ignored: ${i.path} ${i.value}: ${i.reason}`;
}

const SECRETISH = /key|secret|password|token|credential|auth|database_url|dsn/i;
const MAX_SUMMARY = 60;

/** A one-line, length-capped rendering of a config value; values of secret-looking keys are not shown. */
export function summarizeValue(path: readonly PathSegment[], value: unknown): string {
  const last = String(path[path.length - 1] ?? '');
  if (SECRETISH.test(last) && !isEnvReference(value)) return '(set)';
  let text: string;
  if (Array.isArray(value)) text = `[${value.map((v) => scalarText(v)).join(', ')}]`;
  else if (value && typeof value === 'object') text = `{${Object.keys(value).join(', ')}}`;
  else text = scalarText(value);
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v);
  if (v && typeof v === 'object') return Array.isArray(v) ? '[…]' : '{…}';
  return String(v);
}

function isEnvReference(v: unknown): boolean {
  return typeof v === 'string' && /^\s*(os\.environ\/\w+|\$\{\w+(:?-[^}]*)?\})\s*$/.test(v);
}

/** Collects ignored keys; `add` takes the path as segments so it is formatted like every other path. */
export class IgnoredList {
  readonly items: IgnoredKey[] = [];

  add(path: readonly PathSegment[], value: unknown, reason: string): void {
    this.items.push({ path: formatPath(path), value: summarizeValue(path, value), reason });
  }
}
