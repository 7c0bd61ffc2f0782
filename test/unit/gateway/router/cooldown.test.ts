import { describe, expect, it } from 'vitest';
import { Cooldowns } from '../../../../src/gateway/router/cooldown.js';
import { orderCandidates } from '../../../../src/gateway/router/dispatch.js';
import type { Deployment } from '../../../../src/config/types.js';

const dep = (id: string, keyState: 'set' | 'missing' = 'set'): Deployment =>
  ({
    id,
    alias: 'a',
    index: 0,
    model: id,
    provider: { name: id, type: 'openai', apiBase: 'http://127.0.0.1:1/v1', keyState },
  }) as Deployment;

describe('cooldowns', () => {
  it('cools a deployment after allowed_fails consecutive failures, for the default time', () => {
    let now = 1000;
    const c = new Cooldowns(() => now);
    const fail = { kind: 'server' as const, status: 500, message: 'x' };
    c.failure('a', fail, 3, 30);
    c.failure('a', fail, 3, 30);
    expect(c.isCooling('a')).toBe(false);
    c.failure('a', fail, 3, 30);
    expect(c.isCooling('a')).toBe(true);
    expect(c.remainingMs('a')).toBe(30_000);
    now += 30_001;
    expect(c.isCooling('a')).toBe(false);
  });

  it('a success resets the count; client errors do not count', () => {
    const c = new Cooldowns(() => 0);
    const fail = { kind: 'server' as const, status: 500, message: 'x' };
    c.failure('a', fail, 2, 30);
    c.success('a');
    c.failure('a', fail, 2, 30);
    expect(c.isCooling('a')).toBe(false);
    c.failure('a', { kind: 'client', status: 400, message: 'x' }, 1, 30);
    expect(c.isCooling('a')).toBe(false);
  });

  it('a 429 with Retry-After cools at once for that long', () => {
    const c = new Cooldowns(() => 0);
    c.failure('a', { kind: 'rate_limit', status: 429, message: 'x', retryAfterS: 7 }, 3, 30);
    expect(c.remainingMs('a')).toBe(7000);
  });

  it('retain() forgets deployments that no longer exist and keeps the rest', () => {
    const c = new Cooldowns(() => 0);
    const rl = { kind: 'rate_limit' as const, status: 429, message: 'x', retryAfterS: 5 };
    c.failure('a', rl, 3, 30);
    c.failure('b', rl, 3, 30);
    c.retain(new Set(['a']));
    expect(c.isCooling('a')).toBe(true);
    expect(c.isCooling('b')).toBe(false);
  });

  it('skips cooling and keyless deployments; when all are cooling, tries the first to recover', () => {
    const c = new Cooldowns(() => 0);
    const chain = [dep('a'), dep('b', 'missing'), dep('c')];
    expect(orderCandidates(chain, c).map((d) => d.id)).toEqual(['a', 'c']);
    c.failure('a', { kind: 'rate_limit', status: 429, message: 'x', retryAfterS: 9 }, 3, 30);
    expect(orderCandidates(chain, c).map((d) => d.id)).toEqual(['c']);
    c.failure('c', { kind: 'rate_limit', status: 429, message: 'x', retryAfterS: 4 }, 3, 30);
    expect(orderCandidates(chain, c).map((d) => d.id)).toEqual(['c']);
  });
});
