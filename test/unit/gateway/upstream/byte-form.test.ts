import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anthropicMessagesDialect } from '../../../../src/gateway/dialects/anthropic-messages.js';
import { parseRequestBody } from '../../../../src/gateway/routes/json-body.js';
import { serialiseDecoded } from '../../../../src/gateway/upstream/byte-form.js';
import { seeded } from '../../../helpers/seeded.js';

const capture = readFileSync(new URL('../../../../bench/fixtures/claude-code-request.json', import.meta.url));

/** What the upstream must receive: the tree's JSON as UTF-8. */
const utf8Json = (tree: unknown): Buffer => Buffer.from(JSON.stringify(tree), 'utf8');
const asBuffer = (out: string | Buffer): Buffer => (typeof out === 'string' ? Buffer.from(out, 'utf8') : out);

describe('serialiseDecoded', () => {
  it('sends a body built from the decoded Claude Code capture as the UTF-8 of its JSON, through the byte forms', () => {
    const parsed = parseRequestBody(capture);
    expect(parsed.byteForms?.()).toBeUndefined();
    const decoded = parsed.decoded();
    const forms = parsed.byteForms?.();
    expect(forms?.size).toBeGreaterThan(0);
    // A translated body reuses the decoded strings and adds its own.
    const canonical = anthropicMessagesDialect.decodeRequest(decoded);
    const built = {
      model: 'gpt-x',
      messages: [
        { role: 'system', content: canonical.system.map((b) => b.text).join('\n\n') },
        ...canonical.messages.map((m) => ({ role: m.role, content: JSON.stringify(m.content) })),
      ],
      tools: canonical.tools?.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.inputSchema },
      })),
      ['ünïcode → key']: 'made here: 简洁 😀',
    };
    const out = serialiseDecoded(built, forms);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(asBuffer(out).equals(utf8Json(built))).toBe(true);
    // The tool descriptions went through the remembered forms unchanged.
    const description = canonical.tools?.find(
      (t) => t.description && /[\u0080-\uffff]/.test(t.description),
    )?.description;
    expect(description && forms?.has(description)).toBe(true);
  });

  it('equals JSON.stringify + UTF-8 for seeded trees of decoded, concatenated and sliced strings', () => {
    const rand = seeded(23);
    const pieces = ['é', '→', '简洁', '😀', 'a"b\\', '\n\t', 'plain text', '\u0085\u00a0'];
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const text = (): string =>
      Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pick(pieces)).join('');
    for (let n = 0; n < 200; n++) {
      const source = Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [`k${i}${pick(['', 'ß'])}`, text()]),
      );
      const parsed = parseRequestBody(Buffer.from(JSON.stringify({ model: 'm', source }), 'utf8'));
      const decoded = parsed.decoded() as { source: Record<string, string> };
      const strings = Object.values(decoded.source);
      const built = {
        reused: strings,
        joined: strings.join(pick(['\n\n', ' · ', ''])),
        nested: [{ [pick(Object.keys(decoded.source))]: { deeper: [pick(strings), 1, null, true] } }],
        made: text(),
      };
      const out = serialiseDecoded(built, parsed.byteForms?.());
      expect(asBuffer(out).equals(utf8Json(built)), JSON.stringify(built)).toBe(true);
    }
  });

  it('sends a body with a lone surrogate as text, escaped the way JSON.stringify writes it', () => {
    const parsed = parseRequestBody(Buffer.from('{"model":"m","text":"é 😀"}', 'utf8'));
    const decoded = parsed.decoded() as { text: string };
    const cut = decoded.text.slice(0, -1); // the emoji's high surrogate alone
    const out = serialiseDecoded({ text: cut, kept: decoded.text }, parsed.byteForms?.());
    expect(typeof out).toBe('string');
    expect(out).toBe(JSON.stringify({ text: cut, kept: decoded.text }));
    expect(out).toContain('\\ud83d');
  });

  it('is JSON.stringify when there are no byte forms (an ASCII or UTF-8 parsed body)', () => {
    expect(serialiseDecoded({ a: 'é' }, undefined)).toBe('{"a":"é"}');
  });
});
