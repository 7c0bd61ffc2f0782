/**
 * A request body parsed one char per UTF-8 byte (routes/json-body.ts) and its properly decoded
 * twin. Translation works on decoded strings; the tree it builds goes back to bytes here without
 * the UTF-8 encoder's slow path for two-byte strings: every non-ASCII string is swapped for its byte
 * form (the client's own, remembered when the body was decoded, or encoded now), so the JSON text is
 * one byte per char and its latin1 bytes are the UTF-8 bytes JSON.stringify + UTF-8 would give.
 */

/** A copy of a JSON tree with every string, member names included, passed through `f`. */
export function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = mapStrings(v[i], f);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const key = f(k);
    const value = mapStrings((v as Record<string, unknown>)[k], f);
    // An own "__proto__" member, as JSON.parse makes it, not a prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

const HIGH_BYTE = /[\u0080-\u00ff]/;

/**
 * The tree a UTF-8 parse of the same bytes gives, from the byte-form tree: only strings holding
 * non-ASCII bytes are decoded (JSON's structure and escapes are ASCII, and a string's bytes never
 * run past its closing quote, so each decodes as it would in the whole body, invalid sequences to
 * U+FFFD alike). Each decoded string's byte form is put in `forms`.
 */
export function decodeByteForm(tree: unknown, forms: Map<string, string>): unknown {
  return mapStrings(tree, (s) => {
    if (!HIGH_BYTE.test(s)) return s;
    const text = utf8OfBytes(s);
    forms.set(text, s);
    return text;
  });
}

// The bytes of one string at a time, decoded at once: no buffer allocated per string.
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** The UTF-8 text of a string holding one char per byte. */
function utf8OfBytes(s: string): string {
  if (s.length > scratch.length) {
    if (s.length > 1024 * 1024) return Buffer.from(s, 'latin1').toString('utf8');
    scratch = Buffer.allocUnsafeSlow(Math.max(s.length, scratch.length * 2));
  }
  const n = scratch.write(s, 0, 'latin1');
  return scratch.toString('utf8', 0, n);
}

const NON_ASCII = /[\u0080-\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `body` as JSON: UTF-8 bytes through its strings' byte forms when `forms` is given, else text.
 * A string with a lone surrogate (JSON.stringify writes it as a `\ud800` escape, UTF-8 cannot carry
 * it) sends the body the ordinary way.
 */
export function serialiseDecoded(
  body: unknown,
  forms: ReadonlyMap<string, string> | undefined,
): string | Buffer {
  if (forms === undefined) return JSON.stringify(body);
  let wellFormed = true;
  const bytes = mapStrings(body, (s) => {
    if (!NON_ASCII.test(s)) return s;
    const known = forms.get(s);
    if (known !== undefined) return known;
    if (LONE_SURROGATE.test(s)) wellFormed = false;
    return Buffer.from(s, 'utf8').toString('latin1');
  });
  return wellFormed ? Buffer.from(JSON.stringify(bytes), 'latin1') : JSON.stringify(body);
}

const LBRACE = Buffer.from('{');
const COMMA = Buffer.from(',');
const RBRACE = Buffer.from('}');

/**
 * `body` (an object) as UTF-8 JSON like `serialiseDecoded`, but with the members named in `echoes`
 * taken from `reuse` (the client's own bytes for a value the answer echoes unchanged, see
 * upstream/json-splice.ts `clientMembers`) where it has them.
 */
export function serialiseEchoing(
  body: Record<string, unknown>,
  forms: ReadonlyMap<string, string> | undefined,
  echoes: readonly string[],
  reuse: (key: string, value: unknown) => Buffer | undefined,
): string | Buffer {
  const reused = new Map<string, Buffer>();
  for (const k of echoes) {
    const v = body[k];
    if (v === undefined) continue;
    const bytes = reuse(k, v);
    if (bytes) reused.set(k, bytes);
  }
  if (reused.size === 0) return serialiseDecoded(body, forms);
  const parts: Buffer[] = [LBRACE];
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (v === undefined) continue;
    if (parts.length > 1) parts.push(COMMA);
    parts.push(Buffer.from(`${JSON.stringify(k)}:`, 'utf8'));
    const bytes = reused.get(k);
    if (bytes) parts.push(bytes);
    else {
      const text = serialiseDecoded(v, forms);
      parts.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    }
  }
  parts.push(RBRACE);
  return Buffer.concat(parts);
}
