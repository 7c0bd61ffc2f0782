import { describe, expect, it } from 'vitest';
import { RequestFeed, type FeedEntry } from '../../../src/gateway/observe/request-feed.js';

const entry = (n: number): FeedEntry => ({
  at: '2026-01-01T00:00:00Z',
  id: `r${n}`,
  route: '/v1/messages',
  status: 200,
  ms: n,
});

describe('RequestFeed', () => {
  it('keeps only the last N, oldest first', () => {
    const f = new RequestFeed(3);
    for (let i = 1; i <= 7; i++) f.push(entry(i));
    expect(f.recent().map((e) => e.id)).toEqual(['r5', 'r6', 'r7']);
    f.push(entry(8));
    expect(f.recent().map((e) => e.id)).toEqual(['r6', 'r7', 'r8']);
  });

  it('tells each listener until it unsubscribes, and drops one that throws', () => {
    const f = new RequestFeed(2);
    const seen: string[] = [];
    const off = f.subscribe((e) => seen.push(e.id));
    f.subscribe(() => {
      throw new Error('gone');
    });
    expect(f.listening).toBe(2);
    f.push(entry(1));
    expect(f.listening).toBe(1);
    off();
    f.push(entry(2));
    expect(seen).toEqual(['r1']);
    expect(f.listening).toBe(0);
  });
});
