import { join } from 'node:path';
import { setOwn } from './coerce.js';
import { formatPath, type PathSegment } from './format-issues.js';
import { readConfigFile } from './read-file.js';
import { own } from '../shared/own.js';

/**
 * Secrets in the config: `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}`
 * (default when unset) and LiteLLM's whole-string `os.environ/VAR`. `$${` is a literal `${`.
 * A missing variable expands to "" and is recorded against the path of the value that used it,
 * so the loader can mark that provider or key `missing` instead of failing the file.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Formatted config path (`litellm.providers.openai.api_key`) → the variables it needed and lacked. */
export type MissingEnv = Map<string, string[]>;

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;
const OS_ENVIRON = /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/;

export function expandString(text: string, env: Env): { value: string; missing: string[] } {
  const missing: string[] = [];
  const whole = OS_ENVIRON.exec(text.trim());
  if (whole) {
    const v = own(env, whole[1]);
    if (!v) missing.push(whole[1]);
    return { value: v ?? '', missing };
  }
  if (!text.includes('${')) return { value: text, missing };
  const value = text.replace(REF, (match, name: string | undefined, op: string | undefined, dflt = '') => {
    if (name === undefined) return '${';
    const v = own(env, name);
    if (op === ':-') return v ? v : dflt;
    if (op === '-') return v !== undefined ? v : dflt;
    if (!v) missing.push(name);
    return v ?? '';
  });
  return { value, missing };
}

/** Expands every string value (not keys) of a parsed YAML tree. Returns a new tree. */
export function expandEnv(value: unknown, env: Env): { value: unknown; missing: MissingEnv } {
  const missing: MissingEnv = new Map();
  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') {
      const r = expandString(v, env);
      if (r.missing.length) missing.set(formatPath(path), r.missing);
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x, [...path, k]));
      return out;
    }
    return v;
  };
  return { value: walk(value, []), missing };
}

/**
 * A `.env` file: `KEY=VALUE` lines, optional `export `, `#` comments (whole line, or after a space
 * in an unquoted value), single quotes literal, double quotes with `\n \t \" \\` escapes and
 * possibly spanning lines. Lines that are not assignments are skipped.
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const [, key, rest] = m;
    if (rest.startsWith('"')) {
      let body = rest.slice(1);
      let end = closingQuote(body);
      while (end < 0 && i + 1 < lines.length) {
        body += `\n${lines[++i]}`;
        end = closingQuote(body);
      }
      const raw = end < 0 ? body : body.slice(0, end);
      out[key] = raw.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      out[key] = end < 0 ? rest.slice(1) : rest.slice(1, end);
    } else {
      out[key] = rest.replace(/(^|\s)#.*$/, '').trim();
    }
  }
  return out;
}

function closingQuote(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/** Reads `<dir>/.env`; no file → {}. */
export async function readDotEnv(dir: string): Promise<Record<string, string>> {
  try {
    return parseDotEnv(await readConfigFile(join(dir, '.env')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      return {};
    }
    throw e;
  }
}

/** The environment the config sees: `.env` values under the process environment (which wins). */
export function withDotEnv(env: Env, dotenv: Record<string, string>): Env {
  const out: Record<string, string | undefined> = { ...dotenv };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
