import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM module of the bench
import { directCaseFor, floorCases, gatewayCases } from '../../../bench/lib/cases.mjs';
// @ts-expect-error: plain ESM module of the bench
import { summarise, targets } from '../../../bench/lib/report.mjs';

type Case = { name: string; kind: string; conns: number };

/** One quiet run per case with the given CPU per request, p50 and peak RSS. */
function runsFor(cases: Case[], f: (c: Case) => { cpu: number; p50: number; rss: number }) {
  return cases.map((c) => {
    const v = f(c);
    return {
      case: c.name,
      cpuUsPerReq: v.cpu,
      p50Ms: v.p50,
      peakRssMb: v.rss,
      foreignPct: 0,
      rps: 1000,
      latencyResolutionMs: 0.001,
    };
  });
}

describe('bench report', () => {
  const gateway = (gatewayCases() as Case[]).filter((c) => c.name.startsWith('chat-chat.json.small'));
  const floor = (floorCases() as Case[]).filter((c) => c.name.startsWith('floor.json.small'));
  const direct = directCaseFor(gateway.find((c) => c.conns === 1));
  const cases = [direct, ...floor, ...gateway];

  it('has floor rows at 1 connection and compares each gateway row with the floor of its connections', () => {
    expect(floor.map((c) => c.conns).sort()).toEqual([1, 50]);
    const by = summarise(
      cases,
      runsFor(cases, (c) =>
        c.kind === 'direct'
          ? { cpu: 0, p50: 0.05, rss: 0 }
          : c.kind === 'floor'
            ? { cpu: c.conns === 1 ? 400 : 100, p50: c.conns === 1 ? 0.45 : 5, rss: c.conns === 1 ? 90 : 100 }
            : {
                cpu: c.conns === 1 ? 800 : 300,
                p50: c.conns === 1 ? 0.85 : 20,
                rss: c.conns === 1 ? 300 : 150,
              },
      ),
    );
    expect(by.get('chat-chat.json.small.c50').xFloor).toBeCloseTo(3);
    expect(by.get('chat-chat.json.small.c1').xFloor).toBeCloseTo(2);
    expect(by.get('floor.json.small.c1').addedP50Ms).toBeCloseTo(0.4);
    expect(by.get('chat-chat.json.small.c1').addedP50Ms).toBeCloseTo(0.8);
    const rows = targets(by, {}) as { target: string; measured: number; note: string }[];
    const row = (t: string) => rows.find((r) => r.target.startsWith(t));
    expect(row('added p50 at 1 connection (worst')?.measured).toBeCloseTo(0.8);
    expect(row('added p50 at 1 connection, the floor proxy')?.measured).toBeCloseTo(0.4);
    // The 50-connection peak, not the 1-connection row's larger one.
    expect(row('peak RSS, 50 connections of small')).toMatchObject({
      measured: 150,
      note: 'chat-chat.json.small.c50',
    });
  });
});
