import { describe, expect, it } from 'vitest';
import { parseProcStat, parseStat, parseStatusKb } from '../../../bench/lib/proc.mjs';
import { cpuFigures } from '../../../bench/lib/measure.mjs';

describe('bench /proc parsing', () => {
  it('reads utime, stime and the children times after a command name with spaces and parentheses', () => {
    const line = '4242 (node (my) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 89 10 20 0 11 0 100 0 0';
    expect(parseStat(line)).toEqual({ utime: 1234, stime: 567, cutime: 89, cstime: 10 });
  });

  it('sums busy ticks over the first cpu line, leaving idle, iowait and steal out of busy', () => {
    const text = 'cpu  100 5 50 1000 7 3 2 9 0 0\ncpu0 50 2 25 500 3 1 1 4 0 0\n';
    expect(parseProcStat(text)).toEqual({ busy: 100 + 5 + 50 + 3 + 2, total: 160 + 1000 + 7 + 9, steal: 9 });
  });

  it('reads Vm fields of /proc/<pid>/status in bytes', () => {
    const text = 'Name:\tnode\nVmHWM:\t  150000 kB\nVmRSS:\t   70000 kB\n';
    expect(parseStatusKb(text, 'VmHWM')).toBe(150000 * 1024);
    expect(parseStatusKb(text, 'VmRSS')).toBe(70000 * 1024);
    expect(parseStatusKb(text, 'VmSwap')).toBeUndefined();
  });

  it('turns two CPU snapshots into µs per request and the share other processes took', () => {
    const a = { t: 0, daemon: 0, upstream: 0, self: 0, machine: 0 };
    // 1 s of wall time: daemon 0.5 s, upstream 0.2 s, load 0.1 s, machine busy 1.1 s in all.
    const b = { t: 1e6, daemon: 5e5, upstream: 2e5, self: 1e5, machine: 1.1e6 };
    const f = cpuFigures(a, b, 10_000);
    expect(f.cpuUsPerReq).toBe(50);
    expect(f.upstreamUsPerReq).toBe(20);
    expect(f.daemonCorePct).toBe(50);
    expect(f.foreignPct).toBeCloseTo(30);
    expect(cpuFigures(a, b, 0).cpuUsPerReq).toBeUndefined();
  });
});
