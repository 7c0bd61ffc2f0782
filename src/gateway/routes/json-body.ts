import { isAscii } from 'node:buffer';
import { MAX_JSON_DEPTH, withinDepth } from '../../shared/json-depth.js';
import { GatewayError } from '../errors.js';
import { decodeByteForm } from '../upstream/byte-form.js';

/** The request body as a JSON object, or a 400 naming what is wrong. */
export function parseJsonBody(body: Buffer, encoding: 'utf8' | 'latin1' = 'utf8'): Record<string, unknown> {
  if (body.length === 0)
    throw new GatewayError('invalid_request', 'request body is empty; expected a JSON object');
  return parseObject(body.toString(encoding));
}

const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * Whether the JSON text holds a `\uXXXX` escape of a non-ASCII character (above U+007F). A `\u`
 * whose backslash is itself escaped (`\\u`) is text, not an escape. A scan with indexOf: a regular
 * expression over the whole of a 100 KB body took three times as long.
 */
export function hasNonAsciiEscape(text: string): boolean {
  for (let i = text.indexOf('\\u'); i !== -1; i = text.indexOf('\\u', i + 2)) {
    let backslashes = 1;
    while (i - backslashes >= 0 && text.charCodeAt(i - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) continue;
    const hex = text.slice(i + 2, i + 6);
    if (HEX4.test(hex) && parseInt(hex, 16) > 0x7f) return true;
  }
  return false;
}

function parseObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GatewayError('invalid_request', `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new GatewayError('invalid_request', 'request body must be a JSON object');
  }
  if (!withinDepth(v, MAX_JSON_DEPTH)) {
    throw new GatewayError('invalid_request', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return v as Record<string, unknown>;
}

export interface RequestBody {
  /** The parsed body. When `bytesAsChars`, its strings hold one char per UTF-8 byte (latin1). */
  body: Record<string, unknown>;
  bytesAsChars: boolean;
  /** The body with its strings properly decoded (on first use when `bytesAsChars`). */
  decoded(): Record<string, unknown>;
  /**
   * Once `decoded()` ran on a `bytesAsChars` body: each decoded string's byte form, so a translated
   * body goes back to bytes cheaply (upstream/byte-form.ts). Undefined otherwise.
   */
  byteForms?: () => ReadonlyMap<string, string> | undefined;
}

/**
 * Parse a request cheaply. Decoding non-ASCII UTF-8 is the slow part of a large body (Claude Code's
 * prompts carry dashes and quotes), and passthrough only needs the bytes back: so a non-ASCII body
 * is parsed as latin1 (one char per byte; JSON's structure is ASCII, so it parses the same), and
 * serialised back the same way it reaches the upstream byte for byte. Translation asks `decoded()`.
 */
export function parseRequestBody(raw: Buffer): RequestBody {
  if (isAscii(raw)) {
    const body = parseJsonBody(raw);
    return { body, bytesAsChars: false, decoded: () => body };
  }
  // A \uXXXX escape of a non-ASCII character would parse to a real character, which latin1 cannot
  // carry back as the client's bytes: such bodies take the ordinary path.
  const text = raw.toString('latin1');
  if (hasNonAsciiEscape(text)) {
    const body = parseJsonBody(raw);
    return { body, bytesAsChars: false, decoded: () => body };
  }
  const body = parseObject(text);
  let decoded: Record<string, unknown> | undefined;
  const forms = new Map<string, string>();
  // The same tree with its non-ASCII strings decoded: about 0.3 ms for a Claude Code request, where
  // decoding and parsing the 100 KB again took about 0.7 ms. The depth was checked above.
  return {
    body,
    bytesAsChars: true,
    decoded: () => (decoded ??= decodeByteForm(body, forms) as Record<string, unknown>),
    byteForms: () => (decoded === undefined ? undefined : forms),
  };
}
