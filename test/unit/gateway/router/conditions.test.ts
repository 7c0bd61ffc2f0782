import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../../src/config/load.js';
import type { Deployment } from '../../../../src/config/types.js';
import { fallbackClass, mayFollow, nextCandidate } from '../../../../src/gateway/router/conditions.js';

/** `fallback_on` in an agentbox config: which chain entries may follow which failure. */

function chain(): Deployment[] {
  const r = loadConfigText(
    [
      'litellm:',
      '  providers: { p: { type: openai_compatible, api_base: "http://127.0.0.1:1/v1" } }',
      '  models:',
      '    a:',
      '      - { provider: p, model: own }',
      '      - { provider: p, model: big, fallback_on: [context_window] }',
      '      - { provider: p, model: other, fallback_on: [rate_limit, error] }',
      '      - { provider: p, model: safe, fallback_on: [content_policy] }',
      '      - { provider: p, model: plain }',
    ].join('\n'),
    { env: {} },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.loaded.config.models[0].deployments;
}

describe('fallback_on', () => {
  const c = chain();
  const models = (idx: number) => (idx < 0 ? null : c[idx].model);

  it('is read from the config as the entry’s condition', () => {
    expect(c.map((d) => d.fallbackOn ?? null)).toEqual([
      null,
      ['context_window'],
      ['rate_limit', 'error'],
      ['content_policy'],
      null,
    ]);
  });

  it('the first attempt takes the first unconditional entry', () => {
    expect(models(nextCandidate(c, 0, undefined))).toBe('own');
    expect(models(nextCandidate(c, 1, undefined))).toBe('plain');
  });

  it('after a failure, the next entry reserved for its kind or unconditional', () => {
    expect(models(nextCandidate(c, 1, 'context_window'))).toBe('big');
    expect(models(nextCandidate(c, 1, 'server'))).toBe('other');
    expect(models(nextCandidate(c, 1, 'timeout'))).toBe('other');
    expect(models(nextCandidate(c, 1, 'rate_limit'))).toBe('other');
    expect(models(nextCandidate(c, 3, 'context_window'))).toBe('plain');
  });

  it('a content-policy refusal goes only to an entry that names it; a client error to none', () => {
    expect(models(nextCandidate(c, 1, 'content_policy'))).toBe('safe');
    expect(models(nextCandidate(c, 4, 'content_policy'))).toBeNull();
    expect(mayFollow(c[4], 'content_policy')).toBe(false);
    expect(fallbackClass('client')).toBeUndefined();
    expect(models(nextCandidate(c, 1, 'client'))).toBeNull();
  });

  it('an unknown kind is a config error naming the choices', () => {
    const r = loadConfigText(
      'litellm:\n  providers: { p: { type: ollama } }\n  models:\n    a: [{ provider: p, model: m, fallback_on: [oops] }]\n',
      { env: {} },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].path).toBe('litellm.models.a[0].fallback_on[0]');
  });
});
