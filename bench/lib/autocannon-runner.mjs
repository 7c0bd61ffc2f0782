#!/usr/bin/env node
// The autocannon side of bench/lib/load.mjs (used when wrk is not installed):
// `node autocannon-runner.mjs URL CONNECTIONS SECONDS` with $BENCH_REQUESTS naming the requests file.
// Prints the same `BENCH_RESULT {…}` line as bench/wrk/post.lua. SIGINT stops early and still reports.
import { readFileSync } from 'node:fs';
import { decodeRequests } from './load.mjs';

const [url, connections, seconds] = process.argv.slice(2);
const { default: autocannon } = await import('autocannon').catch(() => {
  console.error(
    'neither wrk nor autocannon is installed: apt-get install wrk, or npm install (autocannon is a devDependency)',
  );
  process.exit(1);
});
const reqs = decodeRequests(readFileSync(process.env.BENCH_REQUESTS));
const instance = autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: 10,
  requests: reqs.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body })),
});
process.once('SIGINT', () => instance.stop());
const started = Date.now();
instance.on('done', (r) => {
  const us = (ms) => Math.round((ms ?? 0) * 1000);
  const result = {
    requests: r.requests.total,
    duration_us: (Date.now() - started) * 1000,
    bytes: r.throughput.total,
    // autocannon records latency in whole milliseconds
    resolution_us: 1000,
    errors: { connect: 0, read: r.errors - r.timeouts, write: 0, status: r.non2xx, timeout: r.timeouts },
    latency_us: {
      p50: us(r.latency.p50),
      p90: us(r.latency.p90),
      p99: us(r.latency.p99),
      max: us(r.latency.max),
      mean: us(r.latency.average),
    },
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
});
