/**
 * Passthrough bodies without re-serialising them. A passthrough rewrite changes a few top-level
 * fields of the client's body (`model`, `max_tokens`, `stream_options`…); serialising the whole
 * tree again costs as much as parsing it. Instead the client's bytes are scanned once for the spans
 * of their top-level members (strings are skipped with a native byte search), and the body sent is
 * the client's own bytes for every member whose value the rewrite left as it was (the same value or
 * the same object), with only the changed members serialised.
 *
 * A rewrite must therefore never change a nested object of the client's body in place: it replaces
 * the top-level value instead (copy-on-write). `AGENTBOX_VERIFY_SPLICE=1` (set by the test suite)
 * checks every spliced body against a full serialisation and fails the request on a difference.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Member {
  key: string;
  /** Byte offsets of the member (`"key": value`) in the body, and of its value. */
  start: number;
  value: number;
  end: number;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index just past the closing quote of the string whose opening quote is at `at`. */
function skipString(b: Buffer, at: number): number {
  let i = at + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, i);
    if (q === -1) throw new Error('unterminated string');
    let slashes = 0;
    for (let k = q - 1; k > at && b[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** The index just past the value starting at `at` (a string, a container or a scalar). */
function skipValue(b: Buffer, at: number): number {
  const c = b[at];
  if (c === QUOTE) return skipString(b, at);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let i = at; i < b.length; i++) {
      const x = b[i];
      if (x === QUOTE) i = skipString(b, i) - 1;
      else if (x === 0x7b || x === 0x5b) depth++;
      else if (x === 0x7d || x === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    throw new Error('unterminated container');
  }
  let i = at;
  while (i < b.length && b[i] !== 0x2c && b[i] !== 0x7d && !isSpace(b[i])) i++;
  return i;
}

/**
 * The top-level members of a JSON object body, in order, or undefined when the body is not one
 * this splicer handles (not an object, a repeated key, a key with escapes or of digits only,
 * which JavaScript objects order differently).
 */
export function topLevelMembers(b: Buffer): Member[] | undefined {
  try {
    let i = 0;
    while (isSpace(b[i])) i++;
    if (b[i] !== 0x7b) return undefined;
    i++;
    const out: Member[] = [];
    const seen = new Set<string>();
    for (;;) {
      while (isSpace(b[i])) i++;
      if (b[i] === 0x7d) return out;
      if (b[i] !== QUOTE) return undefined;
      const start = i;
      const keyEnd = skipString(b, i);
      const key = b.toString('latin1', i + 1, keyEnd - 1);
      if (key.includes('\\') || /^\d+$/.test(key) || seen.has(key)) return undefined;
      seen.add(key);
      i = keyEnd;
      while (isSpace(b[i])) i++;
      if (b[i] !== 0x3a) return undefined;
      i++;
      while (isSpace(b[i])) i++;
      const value = i;
      i = skipValue(b, i);
      out.push({ key, start, value, end: i });
      while (isSpace(b[i])) i++;
      if (b[i] === 0x2c) i++;
      else if (b[i] !== 0x7d) return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * The body to send, as parts in order: `raw`'s members for the keys whose value in `sent` is the
 * one in `source` (the object `raw` parsed to, or the same values decoded) as views of `raw`, the
 * other members of `sent` serialised and encoded as `encoding` (latin1 when the parsed strings
 * hold one char per byte). A body under `joinBelow` bytes comes as one part. Undefined when
 * `raw` cannot be spliced; the caller serialises the whole body then.
 */
export function spliceBody(
  raw: Buffer,
  source: Record<string, unknown>,
  sent: Record<string, unknown>,
  encoding: 'latin1' | 'utf8',
  joinBelow = Infinity,
): Buffer[] | undefined {
  const members = topLevelMembers(raw);
  if (!members || members.length !== Object.keys(source).length) return undefined;
  const parts: Buffer[] = [];
  let first = true;
  const sep = (): void => {
    parts.push(first ? OPEN : COMMA);
    first = false;
  };
  const written = new Set<string>();
  for (const m of members) {
    if (!Object.hasOwn(source, m.key)) return undefined;
    if (!Object.hasOwn(sent, m.key)) continue;
    written.add(m.key);
    const v = sent[m.key];
    if (v === undefined) continue;
    sep();
    parts.push(
      v === source[m.key]
        ? raw.subarray(m.start, m.end)
        : Buffer.from(`${JSON.stringify(m.key)}:${JSON.stringify(v)}`, encoding),
    );
  }
  for (const [k, v] of Object.entries(sent)) {
    if (written.has(k) || v === undefined) continue;
    sep();
    parts.push(Buffer.from(`${JSON.stringify(k)}:${JSON.stringify(v)}`, encoding));
  }
  if (first) parts.push(OPEN);
  parts.push(CLOSE);
  let length = 0;
  for (const p of parts) length += p.length;
  if (process.env.AGENTBOX_VERIFY_SPLICE === '1') verify(Buffer.concat(parts, length), sent, encoding);
  return length < joinBelow ? [Buffer.concat(parts, length)] : parts;
}

const OPEN = Buffer.from('{');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

/** Test-suite check: the spliced body means exactly what serialising `sent` would have sent. */
function verify(out: Buffer, sent: Record<string, unknown>, encoding: 'latin1' | 'utf8'): void {
  const got = JSON.parse(out.toString(encoding)) as Record<string, unknown>;
  const want = JSON.parse(JSON.stringify(sent)) as Record<string, unknown>;
  const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
  const differ = [...keys].filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]));
  if (differ.length > 0)
    throw new Error(
      `spliced passthrough body differs from the rewritten request in ${differ.join(', ')}: ` +
        'a rewrite changed a nested value in place',
    );
}

/** Whether two JSON trees mean the same JSON value (object members in any order; `undefined` members are absent, as JSON.stringify leaves them out). */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    if (!Object.hasOwn(y, k) || !jsonEquals(x[k], y[k])) return false;
    n++;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) n--;
  return n === 0;
}

/**
 * The client's own JSON text of a top-level member of its body, for an answer that echoes it (a
 * Response repeats the request's instructions and tools, tens of kilobytes for Codex or Claude
 * Code): `clientJson(key, value)` gives the member's value bytes when `value` means the same as
 * the client's value (`source`, the body `raw` parsed to, strings decoded), so the answer needs not
 * serialise it again. Undefined when it differs, when `raw` cannot be scanned, or when the value's
 * text spans lines (whitespace between tokens: an SSE data line cannot carry it).
 */
export function clientMembers(
  raw: Buffer,
  source: () => Record<string, unknown>,
): (key: string, value: unknown) => Buffer | undefined {
  let members: Member[] | undefined | null = null;
  return (key, value) => {
    if (members === null) members = topLevelMembers(raw);
    const m = members?.find((x) => x.key === key);
    if (!m) return undefined;
    const body = source();
    if (!Object.hasOwn(body, key) || !jsonEquals(value, body[key])) return undefined;
    const bytes = raw.subarray(m.value, m.end);
    return bytes.includes(0x0a) || bytes.includes(0x0d) ? undefined : bytes;
  };
}
