/**
 * The origin mark on an opaque reasoning value (an Anthropic thinking `signature` or
 * `redacted_thinking.data`, a Responses `encrypted_content`, a Gemini `thoughtSignature`): the
 * value a client receives from the gateway is `agentbox:<family>:<original>`. Clients store it and
 * echo it back verbatim; on the next request the gateway reads the family off it, sends the
 * original bytes to a deployment of that family and strips the value for any other.
 *
 * The mark cannot collide with a real value: providers issue these as base64, base64url or Fernet
 * tokens, none of which can contain `:`. A value without the mark (a client that talked to the
 * provider directly) is left as it is.
 */

const PREFIX = 'agentbox:';
const MARKED = /^agentbox:([a-z0-9_.-]+):/;

/** A marked value's parts; undefined for a value without the mark. */
export interface Marked {
  family: string;
  original: string;
}

/** `value` marked as coming from `family`; an empty value or one already marked stays as it is. */
export function mark(value: string, family: string): string {
  if (value.length === 0 || value.startsWith(PREFIX)) return value;
  return `${PREFIX}${family}:${value}`;
}

/** The prefix `mark` puts in front of a value, for streams that emit a value in pieces. */
export function markPrefix(family: string): string {
  return `${PREFIX}${family}:`;
}

export function readMark(value: string): Marked | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const m = MARKED.exec(value);
  return m ? { family: m[1], original: value.slice(m[0].length) } : undefined;
}

/**
 * What a value becomes for a deployment of `family`: the original bytes when it came from that
 * family, `undefined` when it came from another (it must not be sent), the value itself when it
 * carries no mark.
 */
export function valueFor(value: string, family: string): string | undefined {
  const m = readMark(value);
  if (m === undefined) return value;
  return m.family === family ? m.original : undefined;
}
