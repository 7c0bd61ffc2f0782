import { describe, expect, it } from 'vitest';
import { SessionAffinity } from '../../../../src/gateway/router/affinity.js';
import { sessionOf } from '../../../../src/gateway/router/session-key.js';

describe('SessionAffinity', () => {
  it('is bounded: the least recently used session goes first', async () => {
    const a = new SessionAffinity({ maxEntries: 3 });
    a.remember('s1', 'd1');
    a.remember('s2', 'd2');
    a.remember('s3', 'd3');
    expect(await a.lookup('s1')).toBe('d1'); // s1 is now the most recently used
    a.remember('s4', 'd4');
    expect(a.size).toBe(3);
    expect(await a.lookup('s2')).toBeUndefined();
    expect(await a.lookup('s1')).toBe('d1');
    expect(await a.lookup('s4')).toBe('d4');
  });

  it('forgets a session unused for its TTL; each use renews it', async () => {
    let t = 0;
    const a = new SessionAffinity({ ttlMs: 1000, now: () => t });
    a.remember('s', 'd');
    t = 900;
    expect(await a.lookup('s')).toBe('d');
    a.remember('s', 'd');
    t = 1800;
    expect(await a.lookup('s')).toBe('d');
    t = 2901;
    expect(await a.lookup('s')).toBeUndefined();
    expect(a.size).toBe(0);
  });
});

describe('sessionOf', () => {
  it('reads the session from what Claude Code and Codex send, explicit header first', () => {
    expect(sessionOf({ 'x-agentbox-session': 'x', 'x-claude-code-session-id': 'c' }, {})).toBe('session:x');
    expect(sessionOf({ 'x-claude-code-session-id': 'c' }, {})).toBe('session:c');
    expect(sessionOf({ 'session-id': 'codex' }, { prompt_cache_key: 'k' })).toBe('session:codex');
    expect(sessionOf({ session_id: 'old' }, {})).toBe('session:old');
    expect(sessionOf({}, { prompt_cache_key: 'k' })).toBe('session:k');
    expect(sessionOf({}, { previous_response_id: 'resp_1' })).toBe('response:resp_1');
    expect(sessionOf({ 'x-agentbox-session': '  ' }, { prompt_cache_key: 3 })).toBeUndefined();
  });
});
