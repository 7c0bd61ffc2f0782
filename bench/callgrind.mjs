#!/usr/bin/env node
// Instructions per request of one case under valgrind's callgrind: a count the host's other
// tenants cannot disturb, for A/B comparisons of small changes (CPU time on a shared machine varies
// by 10 % and more between runs of the same build). The daemon (or the floor proxy) runs under
// `valgrind --tool=callgrind --instr-atstart=no`; after a warm-up of requests, instrumentation is
// switched on for a fixed number of requests and the dumped totals are divided by that number.
// Needs valgrind (`apt-get install valgrind`); under it node runs some 50 times slower, so the
// request counts are modest and the timeouts long. Only 127.0.0.1; only processes it started are
// stopped, by their PID.
//
//   node bench/callgrind.mjs [--case chat-chat.json.small] [--warm 3000] [--requests 1000]
//                            [--conns 10] [--root DIR] [--floor] [--env K=V ...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { FLOOR_PATHS, floorFor, gatewayCases, requestFor } from './lib/cases.mjs';
import { ROOT, prepareHome, startForeground, startUpstream, stopPid } from './lib/daemon.mjs';

const { values: o } = parseArgs({
  options: {
    case: { type: 'string', default: 'chat-chat.json.small.c50' },
    warm: { type: 'string', default: '3000' },
    requests: { type: 'string', default: '1000' },
    conns: { type: 'string', default: '10' },
    root: { type: 'string' },
    floor: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true },
  },
});

const count = (name, v, max) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`callgrind: --${name} must be a whole number from 1 to ${max}, not ${v}`);
    process.exit(2);
  }
  return n;
};
const warm = count('warm', o.warm, 100_000);
const requests = count('requests', o.requests, 100_000);
const conns = count('conns', o.conns, 100);

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('callgrind: valgrind is not installed (apt-get install valgrind)');
  process.exit(2);
}

const c = gatewayCases().find((x) => x.name === o.case || x.name === `${o.case}.c50`);
if (!c) {
  console.error(`callgrind: no case ${o.case} (npm run bench -- --list names them)`);
  process.exit(2);
}
const floorPath = o.floor ? floorFor(c.path) : undefined;
if (o.floor && !floorPath) {
  console.error(
    `callgrind: the floor proxy serves ${FLOOR_PATHS.map((f) => f.client).join(' and ')} passthrough only, not ${c.name}`,
  );
  process.exit(2);
}
const env = {};
for (const kv of o.env ?? []) {
  const eq = kv.indexOf('=');
  if (eq < 1) {
    console.error(`callgrind: --env takes K=V, not ${kv}`);
    process.exit(2);
  }
  env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
const root = o.root ? resolve(o.root) : ROOT;
const tmp = mkdtempSync(join(tmpdir(), 'agentbox-callgrind-'));
const out = join(tmp, 'callgrind.out');

/** Send exactly `n` requests over `conns` keep-alive connections; each must answer 200. */
async function send(url, req, n) {
  const pool = new Pool(url, { connections: conns });
  let left = n;
  let failed = 0;
  const worker = async () => {
    while (left-- > 0) {
      const r = await pool.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      await r.body.text();
      if (r.statusCode !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: conns }, worker));
  await pool.close();
  if (failed > 0) throw new Error(`${failed} of ${n} requests did not answer 200`);
}

/** Instructions counted in the dumps so far: each file's `totals:` line (else its `summary:`). */
function dumpedInstructions() {
  let total = 0;
  for (const f of readdirSync(tmp).filter((x) => x.startsWith('callgrind.out'))) {
    const text = readFileSync(join(tmp, f), 'utf8');
    const line = /^totals: (\d+)/m.exec(text) ?? /^summary: (\d+)/m.exec(text);
    if (line) total += Number(line[1]);
  }
  return total;
}

const control = (pid, ...args) =>
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });

// The fake upstream runs outside valgrind.
const upstream = await startUpstream();
let daemon;
try {
  const home = prepareHome(tmp, upstream.port);
  Object.assign(home.env, env);
  daemon = await startForeground({
    home,
    canPin: false,
    root,
    timeoutMs: 180_000,
    wrap: ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`],
    script: floorPath ? [join(root, 'bench/floor-proxy.mjs'), '--upstream', upstream.url] : undefined,
  });
  const req = requestFor(floorPath ? { ...c, path: floorPath } : c);
  await send(daemon.url, req, warm);
  control(daemon.pid, '-i', 'on');
  await send(daemon.url, req, requests);
  control(daemon.pid, '-i', 'off');
  control(daemon.pid, '-d');
  // The dump is written by the daemon's process: wait for it (at most 30 s).
  let total = 0;
  for (let i = 0; i < 300 && total === 0; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    total = dumpedInstructions();
  }
  if (total === 0) throw new Error(`no instruction totals dumped in ${tmp}`);
  const who = floorPath ? `floor proxy for ${c.name}` : c.name;
  console.log(
    `${who}: ${Math.round(total / requests).toLocaleString('en-US')} instructions per request (${requests} requests after ${warm} warm-up, ${conns} connections, ${root}${o.env?.length ? `, ${o.env.join(' ')}` : ''})`,
  );
} finally {
  if (daemon) await stopPid(daemon.pid);
  await stopPid(upstream.pid);
  rmSync(tmp, { recursive: true, force: true });
}
