import { describe, expect, it } from 'vitest';
import { growthWindows } from '../../../bench/lib/extras.mjs';
import { median, quietRuns, round } from '../../../bench/lib/stats.mjs';

describe('bench statistics', () => {
  it('takes the median of the finite numbers, averaging the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([undefined, 5, Number.NaN])).toBe(5);
    expect(median([])).toBeUndefined();
  });

  it('keeps the quiet runs when at least two are left, else all of them', () => {
    const runs = [{ foreignPct: 5 }, { foreignPct: 80 }, { foreignPct: 10 }];
    expect(quietRuns(runs, 20)).toEqual([{ foreignPct: 5 }, { foreignPct: 10 }]);
    const noisy = [{ foreignPct: 5 }, { foreignPct: 80 }, { foreignPct: 90 }];
    expect(quietRuns(noisy, 20)).toEqual(noisy);
  });

  it('measures RSS growth from the second tenth of the samples to the last tenth', () => {
    const rss = Array.from({ length: 20 }, (_, i) => 100 + i);
    // second tenth = samples 2..3 (median 102.5); last tenth = samples 18..19 (median 118.5)
    expect(growthWindows(rss)).toEqual({ baseMb: 102.5, endMb: 118.5 });
    expect(growthWindows([90])).toEqual({ baseMb: 90, endMb: 90 });
    expect(growthWindows([])).toEqual({ baseMb: undefined, endMb: undefined });
  });

  it('rounds, and leaves non-numbers undefined', () => {
    expect(round(1.2345, 2)).toBe(1.23);
    expect(round(undefined)).toBeUndefined();
  });
});
