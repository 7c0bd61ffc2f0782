import { describe, expect, it } from 'vitest';
import { dayOf, monthOf } from '../../../../src/gateway/usage/periods.js';

describe('period labels', () => {
  it('match the UTC calendar, across day, month and year edges, in any order of asking', () => {
    const cases = [
      '2026-11-22T23:59:59.999Z',
      '2026-11-23T00:00:00.000Z',
      '2026-11-30T23:59:59.999Z',
      '2026-12-01T00:00:00.000Z',
      '2026-11-22T12:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
    ];
    for (const iso of cases) {
      const ms = Date.parse(iso);
      expect(dayOf(ms), iso).toBe(iso.slice(0, 10));
      expect(monthOf(ms), iso).toBe(iso.slice(0, 7));
    }
  });
});
