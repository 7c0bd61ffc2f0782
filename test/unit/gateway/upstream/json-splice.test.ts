import { afterEach, describe, expect, it } from 'vitest';
import { spliceBody, topLevelMembers } from '../../../../src/gateway/upstream/json-splice.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('topLevelMembers', () => {
  it('finds each top-level member past strings with escapes, nesting and spaces', () => {
    const text = ' { "a" : "x\\"}{[" , "b":{"c":[1,{"d":"]"}]},"e":-1.5e3 ,"f":true,"g":null}\n';
    const b = buf(text);
    const m = topLevelMembers(b)!;
    expect(m.map((x) => x.key)).toEqual(['a', 'b', 'e', 'f', 'g']);
    expect(m.map((x) => text.slice(x.start, x.end))).toEqual([
      '"a" : "x\\"}{["',
      '"b":{"c":[1,{"d":"]"}]}',
      '"e":-1.5e3',
      '"f":true',
      '"g":null',
    ]);
  });

  it('declines what it does not handle: arrays, repeated keys, escaped or numeric keys, broken JSON', () => {
    for (const t of ['[1]', '{"a":1,"a":2}', '{"\\u0061":1}', '{"1":1}', '{"a":"open', '{"a":[1}']) {
      expect(topLevelMembers(buf(t)), t).toBeUndefined();
    }
    expect(topLevelMembers(buf('{}'))).toEqual([]);
  });
});

describe('spliceBody', () => {
  afterEach(() => {
    delete process.env.AGENTBOX_VERIFY_SPLICE;
  });

  it("sends the client's bytes for unchanged members and serialises only the changed ones", () => {
    // Spacing, a \/ escape and a non-ASCII character JSON.stringify would write differently.
    const text =
      '{"model":"alias", "messages":[{"role":"user","content":"caf\u00e9 \\/ \\u00e9"}],"max_tokens":9000,"drop":1}';
    const raw = buf(text);
    const source = JSON.parse(text) as Record<string, unknown>;
    const sent = { ...source, model: 'real-model', max_tokens: 4096, added: { x: 1 } };
    delete (sent as Record<string, unknown>).drop;
    const out = Buffer.concat(spliceBody(raw, source, sent, 'utf8')!).toString('utf8');
    expect(out).toBe(
      '{"model":"real-model","messages":[{"role":"user","content":"caf\u00e9 \\/ \\u00e9"}],"max_tokens":4096,"added":{"x":1}}',
    );
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(sent)));
  });

  it('keeps the client bytes as they were when the parsed strings hold one char per byte', () => {
    const raw = buf('{"model":"a","system":"\u2014 dash","messages":[]}');
    const source = JSON.parse(raw.toString('latin1')) as Record<string, unknown>;
    const sent = { ...source, model: 'b', system: `${source.system as string}!` };
    const out = Buffer.concat(spliceBody(raw, source, sent, 'latin1')!);
    expect(out.toString('utf8')).toBe('{"model":"b","system":"\u2014 dash!","messages":[]}');
  });

  it('leaves unchanged members as views of the client bytes, joined only below joinBelow', () => {
    const text = `{"model":"a","messages":[${'"x",'.repeat(1000)}"y"],"max_tokens":5}`;
    const raw = buf(text);
    const source = JSON.parse(text) as Record<string, unknown>;
    const sent = { ...source, model: 'b' };
    const parts = spliceBody(raw, source, sent, 'utf8', 1000)!;
    const messages = parts.find((p) => p.toString().startsWith('"messages"'))!;
    expect(messages.buffer).toBe(raw.buffer);
    expect(messages.byteOffset).toBe(raw.byteOffset + text.indexOf('"messages"'));
    expect(Buffer.concat(parts).toString()).toBe(text.replace('"a"', '"b"'));
    const joined = spliceBody(raw, source, sent, 'utf8', 10_000)!;
    expect(joined).toHaveLength(1);
    expect(joined[0]!.buffer).not.toBe(raw.buffer);
    expect(joined[0]!.toString()).toBe(text.replace('"a"', '"b"'));
  });

  it('declines a body whose members it cannot account for', () => {
    const raw = buf('{"a":1,"a":2}');
    expect(spliceBody(raw, { a: 2 }, { a: 3 }, 'utf8')).toBeUndefined();
  });

  it('with AGENTBOX_VERIFY_SPLICE=1, a nested value changed in place fails loudly', () => {
    process.env.AGENTBOX_VERIFY_SPLICE = '1';
    const text = '{"model":"a","thinking":{"type":"enabled","budget_tokens":9000}}';
    const source = JSON.parse(text) as { thinking: { budget_tokens: number } };
    const sent = { ...source, model: 'b' };
    sent.thinking.budget_tokens = 100; // in place: the splice would send 9000
    expect(() => spliceBody(buf(text), source, sent, 'utf8')).toThrow(/thinking/);
  });
});
