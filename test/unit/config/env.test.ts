import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandEnv, expandString, parseDotEnv, readDotEnv, withDotEnv } from '../../../src/config/env.js';

describe('expandString', () => {
  const env = { A: 'alpha', EMPTY: '', PORT: '8080' };

  it('expands ${VAR} anywhere in the string', () => {
    expect(expandString('${A}', env)).toEqual({ value: 'alpha', missing: [] });
    expect(expandString('x-${A}-${PORT}/v1', env)).toEqual({ value: 'x-alpha-8080/v1', missing: [] });
  });

  it('uses the :- default when unset or empty, the - default only when unset', () => {
    expect(expandString('${NOPE:-fallback}', env).value).toBe('fallback');
    expect(expandString('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(expandString('${A:-fallback}', env).value).toBe('alpha');
    expect(expandString('${EMPTY-fallback}', env).value).toBe('');
    expect(expandString('${NOPE-fallback}', env).value).toBe('fallback');
    expect(expandString('${NOPE:-}', env)).toEqual({ value: '', missing: [] });
    expect(expandString('${NOPE:-http://h:1/v1}', env).value).toBe('http://h:1/v1');
  });

  it('supports the whole-string os.environ/VAR form of LiteLLM', () => {
    expect(expandString('os.environ/A', env)).toEqual({ value: 'alpha', missing: [] });
    expect(expandString('os.environ/NOPE', env)).toEqual({ value: '', missing: ['NOPE'] });
    // Only the whole string: inside other text it is literal.
    expect(expandString('key os.environ/A', env).value).toBe('key os.environ/A');
  });

  it('records missing (and empty) variables and expands them to ""', () => {
    expect(expandString('Bearer ${NOPE}', env)).toEqual({ value: 'Bearer ', missing: ['NOPE'] });
    expect(expandString('${EMPTY}${NOPE2}', env)).toEqual({ value: '', missing: ['EMPTY', 'NOPE2'] });
  });

  it('leaves $${ as a literal ${ and other dollars alone', () => {
    expect(expandString('$${A}', env).value).toBe('${A}');
    expect(expandString('price $5 ${ not a ref', env).value).toBe('price $5 ${ not a ref');
  });
});

describe('expandEnv', () => {
  it('expands every string value of the tree and records missing vars by config path', () => {
    const tree = {
      litellm: {
        providers: { openai: { api_key: '${OPENAI_API_KEY}', headers: { 'X-Org': '${ORG}' } } },
        models: { 'claude-*': [{ provider: 'anthropic', model: '${MODEL:-claude-sonnet-4-5}' }] },
        port: 4000,
        params: [{ stop: null }],
      },
    };
    const { value, missing } = expandEnv(tree, { ORG: 'acme' });
    expect(value).toEqual({
      litellm: {
        providers: { openai: { api_key: '', headers: { 'X-Org': 'acme' } } },
        models: { 'claude-*': [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
        port: 4000,
        params: [{ stop: null }],
      },
    });
    expect([...missing]).toEqual([['litellm.providers.openai.api_key', ['OPENAI_API_KEY']]]);
    expect(tree.litellm.providers.openai.api_key).toBe('${OPENAI_API_KEY}');
  });

  it('quotes path segments that are not plain words', () => {
    const { missing } = expandEnv({ litellm: { models: { 'claude-*': [{ model: '${M}' }] } } }, {});
    expect([...missing.keys()]).toEqual(['litellm.models["claude-*"][0].model']);
  });
});

describe('parseDotEnv', () => {
  it('reads KEY=VALUE lines with export, quotes and comments', () => {
    const text = [
      '# a comment',
      'PLAIN=value',
      'export EXPORTED=yes',
      'SPACED = spaced value   # trailing comment',
      'HASH=abc#def',
      "SINGLE='literal ${X} \\n # kept'",
      'DOUBLE="line1\\nline2 \\"q\\" # kept"',
      'MULTI="first',
      'second"',
      'EMPTY=',
      'not an assignment',
      '  INDENTED=ok',
    ].join('\n');
    expect(parseDotEnv(text)).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      SPACED: 'spaced value',
      HASH: 'abc#def',
      SINGLE: 'literal ${X} \\n # kept',
      DOUBLE: 'line1\nline2 "q" # kept',
      MULTI: 'first\nsecond',
      EMPTY: '',
      INDENTED: 'ok',
    });
  });

  it('handles CRLF line endings and a BOM', () => {
    expect(parseDotEnv('\uFEFFA=1\r\nB="2"\r\n')).toEqual({ A: '1', B: '2' });
  });
});

describe('readDotEnv / withDotEnv', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads .env from a directory; no file is no variables', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-env-'));
    expect(await readDotEnv(dir)).toEqual({});
    writeFileSync(join(dir, '.env'), 'OPENAI_API_KEY=from-dotenv\nONLY_DOTENV=1\n');
    expect(await readDotEnv(dir)).toEqual({ OPENAI_API_KEY: 'from-dotenv', ONLY_DOTENV: '1' });
  });

  it('lets variables already in the environment win over .env', () => {
    const merged = withDotEnv(
      { OPENAI_API_KEY: 'from-env', UNSET: undefined },
      { OPENAI_API_KEY: 'dot', UNSET: 'dot', X: 'x' },
    );
    expect(merged).toEqual({ OPENAI_API_KEY: 'from-env', UNSET: 'dot', X: 'x' });
  });
});
