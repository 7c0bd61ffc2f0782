import { afterEach, describe, expect, it } from 'vitest';
import {
  clientMembers,
  jsonEquals,
  spliceBody,
  topLevelMembers,
} from '../../../../src/gateway/upstream/json-splice.js';

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
    expect(m.map((x) => text.slice(x.value, x.end))).toEqual([
      '"x\\"}{["',
      '{"c":[1,{"d":"]"}]}',
      '-1.5e3',
      'true',
      'null',
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

describe('jsonEquals', () => {
  it('is JSON equality: members in any order, undefined members absent, arrays in order', () => {
    expect(jsonEquals({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(jsonEquals({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(jsonEquals({ a: 1 }, { a: 1, u: undefined })).toBe(true);
    expect(jsonEquals(null, null)).toBe(true);
    for (const [x, y] of [
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1, b: 2 }, { a: 1 }],
      [
        { a: 1, b: undefined },
        { a: 1, b: null },
      ],
      [
        [1, 2],
        [2, 1],
      ],
      [[1], { 0: 1 }],
      [{ 0: 1 }, [1]],
      [{ a: '1' }, { a: 1 }],
      [{ a: false }, { a: 0 }],
      [null, {}],
      [[], [undefined]],
    ] as const) {
      expect(jsonEquals(x, y), JSON.stringify([x, y])).toBe(false);
    }
  });
});

describe('clientMembers', () => {
  const text = '{"model":"m", "tools" : [{"b":2,"a":"\\u00e9 é"}],"instructions":"hi","x":{"a":1}}';
  const raw = buf(text);
  const source = JSON.parse(text) as Record<string, unknown>;

  it("gives the client's bytes of a member whose value means the same, else undefined", () => {
    const json = clientMembers(raw, () => source);
    expect(json('tools', [{ a: 'é é', b: 2 }])?.toString()).toBe('[{"b":2,"a":"\\u00e9 é"}]');
    expect(json('instructions', 'hi')?.toString()).toBe('"hi"');
    expect(json('instructions', 'hi ')).toBeUndefined();
    expect(json('tools', [{ a: 'é é', b: 3 }])).toBeUndefined();
    expect(json('absent', 1)).toBeUndefined();
  });

  it('gives nothing for a value whose text spans lines, or a body it cannot scan', () => {
    const lines = '{"tools":[\n  {"a":1}\r\n],"i":"x"}';
    const json = clientMembers(buf(lines), () => JSON.parse(lines) as Record<string, unknown>);
    expect(json('tools', [{ a: 1 }])).toBeUndefined();
    expect(json('i', 'x')?.toString()).toBe('"x"');
    const repeated = '{"i":"x","i":"y"}';
    expect(
      clientMembers(buf(repeated), () => JSON.parse(repeated) as Record<string, unknown>)('i', 'y'),
    ).toBeUndefined();
  });
});
