import { parseDocument } from 'yaml';
import { setOwn } from './coerce.js';
import type { ConfigIssue } from './types.js';
import { MAX_EXPANDED_NODES, expandedSize } from './yaml-size.js';

/**
 * YAML → plain JS. `${VAR}` is not valid inside YAML flow collections (`{ api_key: ${KEY} }`
 * reads `{` as a nested mapping), yet that is how everyone writes it, LiteLLM's docs and ours
 * included. So before parsing, each `${…}` is swapped for a placeholder of the same length made of
 * private-use characters (a plain scalar anywhere, and columns in error messages stay right), and
 * swapped back in every string and key afterwards.
 */

const MARK = '\uE000';
const FILL = '\uE001';
const FIRST_INDEX = 0xe100;
const MAX_REFS = 0xf8ff - FIRST_INDEX;
const MAX_SHOWN = 5;
const PLACEHOLDER = /\uE000([\uE100-\uF8FF])\uE001*/g;

export type YamlResult = { ok: true; value: unknown } | { ok: false; errors: ConfigIssue[] };

export function parseYaml(text: string, file = '<config>'): YamlResult {
  const refs: string[] = [];
  const protectedText = text.replace(/\$\{[^}\n]*\}/g, (ref) => {
    if (refs.length >= MAX_REFS) return ref;
    refs.push(ref);
    return MARK + String.fromCharCode(FIRST_INDEX + refs.length - 1) + FILL.repeat(ref.length - 2);
  });
  const restore = (s: string): string =>
    refs.length ? s.replace(PLACEHOLDER, (_, c: string) => refs[c.charCodeAt(0) - FIRST_INDEX] ?? '') : s;

  const doc = parseDocument(protectedText, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    // After the first few, a syntax error's errors are mostly echoes of it.
    const shown = doc.errors.slice(0, MAX_SHOWN);
    const more = doc.errors.length - shown.length;
    const errors: ConfigIssue[] = shown.map((e) => {
      const pos = e.linePos?.[0];
      // The line and column locate the token; its text (possibly a literal secret) is left out.
      const first = e.message
        .split('\n')[0]
        .replace(/ at line \d+, column \d+:?$/, '')
        .replace(/(token in YAML stream): ".*"$/, '$1');
      return { path: pos ? `${file}:${pos.line}:${pos.col}` : file, message: `YAML: ${first}` };
    });
    if (more > 0)
      errors.push({ path: file, message: `YAML: ${more} more error${more === 1 ? '' : 's'} after these` });
    return { ok: false, errors };
  }
  if (expandedSize(doc) > MAX_EXPANDED_NODES) {
    return {
      ok: false,
      errors: [
        {
          path: file,
          message: `YAML: the aliases (*name) expand to more than ${MAX_EXPANDED_NODES} nodes; repeat less through anchors`,
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return { ok: false, errors: [{ path: file, message: `YAML: ${(e as Error).message}` }] };
  }
  return { ok: true, value: restoreDeep(value, restore) };
}

function restoreDeep(v: unknown, restore: (s: string) => string): unknown {
  if (typeof v === 'string') return restore(v);
  if (Array.isArray(v)) return v.map((x) => restoreDeep(x, restore));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, restore(k), restoreDeep(x, restore));
    return out;
  }
  return v;
}
