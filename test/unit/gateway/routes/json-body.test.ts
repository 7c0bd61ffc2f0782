import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasNonAsciiEscape, parseRequestBody } from '../../../../src/gateway/routes/json-body.js';
import { seeded } from '../../../helpers/seeded.js';

const capture = readFileSync(new URL('../../../../bench/fixtures/claude-code-request.json', import.meta.url));

/** A UTF-8 parse of the same bytes: what `decoded()` must equal, member order included. */
const utf8Parse = (raw: Buffer): unknown => JSON.parse(raw.toString('utf8'));
const ordered = (v: unknown): string => JSON.stringify(v);

describe('hasNonAsciiEscape', () => {
  it('finds a \\u escape above U+007F, not an ASCII one, nor a \\u whose backslash is escaped', () => {
    expect(hasNonAsciiEscape('{"a":"\\u00e9"}')).toBe(true);
    expect(hasNonAsciiEscape('{"a":"x\\\\\\u2014"}')).toBe(true); // \\ then \u2014
    expect(hasNonAsciiEscape('{"a":"\\u007f\\u0041\\n"}')).toBe(false);
    expect(hasNonAsciiEscape('{"a":"\\\\u00e9"}')).toBe(false); // the text \u00e9
    expect(hasNonAsciiEscape('{"a":"\\u00"}')).toBe(false);
    expect(hasNonAsciiEscape('{"a":"\\uD83D\\uDE00"}')).toBe(true);
  });
});

describe('parseRequestBody(…).decoded()', () => {
  it('equals a UTF-8 parse of the Claude Code capture, which is parsed one char per byte first', () => {
    const parsed = parseRequestBody(capture);
    expect(parsed.bytesAsChars).toBe(true);
    const decoded = parsed.decoded();
    expect(decoded).toEqual(utf8Parse(capture));
    expect(ordered(decoded)).toBe(ordered(utf8Parse(capture)));
    // The byte-form tree is left as it was: passthrough still sends the client's bytes.
    expect(
      Buffer.from(JSON.stringify(parsed.body), 'latin1').equals(Buffer.from(JSON.stringify(decoded))),
    ).toBe(true);
  });

  it('decodes non-ASCII keys, invalid sequences and astral characters as a UTF-8 parse does', () => {
    const pieces = ['é', '→', '简洁', '😀', 'a\\"b', '\\u0041', '\\n', 'plain', '\\\\u00e9', '\\\\'];
    const invalid = [
      Buffer.from([0xff]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xc3]),
      Buffer.from([0xed, 0xa0, 0x80]),
    ];
    const rand = seeded(17);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    for (let n = 0; n < 300; n++) {
      const str = (): Buffer =>
        Buffer.concat([
          Buffer.from('"'),
          ...Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
            rand() < 0.15 ? pick(invalid) : Buffer.from(pick(pieces)),
          ),
          Buffer.from('"'),
        ]);
      const value = (depth: number): Buffer => {
        const r = rand();
        if (depth > 3 || r < 0.4) return r < 0.3 ? str() : Buffer.from(pick(['1', 'true', 'null', '-2.5e3']));
        if (r < 0.7)
          return Buffer.concat([
            Buffer.from('['),
            ...join(Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1))),
            Buffer.from(']'),
          ]);
        return object(depth + 1);
      };
      const object = (depth: number): Buffer =>
        Buffer.concat([
          Buffer.from('{'),
          ...join(
            Array.from({ length: Math.floor(rand() * 4) + (depth === 0 ? 1 : 0) }, () =>
              Buffer.concat([
                rand() < 0.1 ? Buffer.from('"__proto__"') : str(),
                Buffer.from(':'),
                value(depth),
              ]),
            ),
          ),
          Buffer.from('}'),
        ]);
      const raw = Buffer.concat([Buffer.from('{"model":"m","x":"\u00e9",'), object(0).subarray(1)]);
      const parsed = parseRequestBody(raw);
      expect(parsed.bytesAsChars, raw.toString('utf8')).toBe(true);
      const decoded = parsed.decoded();
      expect(ordered(decoded), raw.toString('utf8')).toBe(ordered(utf8Parse(raw)));
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    }
  });

  it('takes the ordinary path for a body with a \\u escape of a non-ASCII character', () => {
    for (const raw of [
      Buffer.from('{"model":"m","a":"\u00e9 \\u00e9"}'),
      Buffer.from('{"model":"m","a":"\u00e9 \\\\\\u2014"}'),
    ]) {
      const parsed = parseRequestBody(raw);
      expect(parsed.bytesAsChars, raw.toString('utf8')).toBe(false);
      expect(ordered(parsed.decoded())).toBe(ordered(utf8Parse(raw)));
    }
    const text = Buffer.from('{"model":"m","a":"\u00e9 \\\\u00e9"}');
    expect(parseRequestBody(text).bytesAsChars).toBe(true);
    expect(ordered(parseRequestBody(text).decoded())).toBe(ordered(utf8Parse(text)));
  });

  it('keeps an own "__proto__" member as a member, never as the prototype', () => {
    const raw = Buffer.from('{"model":"é","__proto__":{"polluted":"ü"},"a":[{"__proto__":"ß"}]}');
    const decoded = parseRequestBody(raw).decoded() as Record<string, any>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(decoded, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: 'ü' });
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(decoded.a[0], '__proto__')?.value).toBe('ß');
    expect(ordered(decoded)).toBe(ordered(utf8Parse(raw)));
  });
});

function join(parts: Buffer[]): Buffer[] {
  return parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from(','), p]));
}
