import { describe, expect, it } from 'vitest';
import { decodeRequests, encodeRequests, parseResult } from '../../../bench/lib/load.mjs';
import { seesStream } from '../../../bench/fake-upstream.mjs';

describe('bench load helpers', () => {
  it('round-trips requests through the file format wrk and autocannon read, bodies with newlines included', () => {
    const reqs = [
      {
        method: 'POST',
        path: '/v1/messages?beta=true',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
        body: '{"a":"x\\ny"}\n{"b":"é"}',
      },
      { method: 'GET', path: '/health', headers: {} as Record<string, string>, body: '' },
    ];
    expect(decodeRequests(encodeRequests(reqs))).toEqual(reqs);
  });

  it('parses the BENCH_RESULT line into req/s, errors and latency in ms', () => {
    const out = [
      'Running 5s test',
      'BENCH_RESULT {"requests":5000,"duration_us":2000000,"bytes":1,"errors":{"connect":0,"read":1,"write":0,"status":2,"timeout":0},"latency_us":{"p50":150,"p90":300,"p99":900,"max":5000,"mean":200.5}}',
    ].join('\n');
    const r = parseResult(out)!;
    expect(r.rps).toBe(2500);
    expect(r.errors).toBe(3);
    expect(r.p50Ms).toBe(0.15);
    expect(r.p99Ms).toBe(0.9);
    expect(r.resolutionMs).toBe(0.001);
    expect(parseResult('no result here')).toBeUndefined();
  });

  it('sees "stream":true in one chunk or split across two', () => {
    const body = Buffer.from('{"model":"m","stream":true}');
    expect(seesStream(undefined, body)).toBe(true);
    for (let cut = 1; cut < body.length; cut++) {
      const a = body.subarray(0, cut);
      const b = body.subarray(cut);
      expect(seesStream(undefined, a) || seesStream(a, b)).toBe(true);
    }
    expect(seesStream(undefined, Buffer.from('{"stream":false}'))).toBe(false);
  });
});
