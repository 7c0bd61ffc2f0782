// One measured run of one case: (re)start the daemon, check one reply, warm up, then drive load
// while reading CPU time from /proc before and after.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { completeMarker, requestFor } from './cases.mjs';
import { ROOT, prepareHome, startForeground } from './daemon.mjs';
import { getJson, send, timeSequential } from './http.mjs';
import { runLoad, writeRequests } from './load.mjs';
import { cpuMicros, machineBusyMicros, memory, selfAndChildrenMicros } from './proc.mjs';
import { median } from './stats.mjs';

const FLOOR = join(ROOT, 'bench/floor-proxy.mjs');

function snapshot(pids) {
  return {
    t: performance.now() * 1000,
    daemon: pids.daemon ? cpuMicros(pids.daemon) : 0,
    upstream: cpuMicros(pids.upstream),
    self: selfAndChildrenMicros(),
    machine: machineBusyMicros(),
  };
}

/**
 * CPU figures between two snapshots: daemon µs per request, % of a core each side used, and the
 * "foreign" CPU (other tenants of the machine) as % of one core.
 */
export function cpuFigures(a, b, requests) {
  const wall = b.t - a.t;
  const d = b.daemon - a.daemon;
  const u = b.upstream - a.upstream;
  const s = b.self - a.self;
  const m = b.machine - a.machine;
  return {
    cpuUsPerReq: requests > 0 ? d / requests : undefined,
    upstreamUsPerReq: requests > 0 ? u / requests : undefined,
    daemonCorePct: (100 * d) / wall,
    loadCorePct: (100 * (u + s)) / wall,
    foreignPct: Math.max(0, (100 * (m - d - u - s)) / wall),
  };
}

/** A temp HOME for one daemon run. */
export function homeFor(ctx, label) {
  const dir = join(ctx.tmp, `${label}-${++ctx.seq}`);
  mkdirSync(dir, { recursive: true });
  return prepareHome(dir, ctx.upstream.port);
}

/** Start a pinned foreground daemon for `label` (with --cpu-prof when profiling). */
export async function startDaemon(ctx, label, { floor = false, root } = {}) {
  const nodeArgs = ctx.profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', ctx.profileDir, '--cpu-prof-name', `${label}.cpuprofile`]
    : [];
  const home = homeFor(ctx, label);
  Object.assign(home.env, ctx.opts.daemonEnv);
  const script = floor ? [FLOOR, '--upstream', ctx.upstream.url] : undefined;
  return {
    ...(await startForeground({ home, core: ctx.cores.daemon, canPin: ctx.canPin, nodeArgs, script, root })),
    home,
  };
}

/** Check one reply of the case: HTTP 200 and a complete body in the client's dialect. */
async function checkReply(url, req, c) {
  const r = await send(url + req.path, { headers: req.headers, body: req.body, timeoutMs: 10_000 });
  const marker = completeMarker(c.path.client, c.mode);
  if (r.status !== 200 || !r.text.includes(marker)) {
    throw new Error(
      `check failed: HTTP ${r.status}, expected ${marker}: ${r.text.slice(0, 300).replace(/\s+/g, ' ')}`,
    );
  }
}

/** Wait (at most 5 s) until the process uses under 2 % of a core over 200 ms. */
async function quietDown(pid) {
  const deadline = Date.now() + 5000;
  let last = cpuMicros(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = cpuMicros(pid);
    if (now - last < 4000) return;
    last = now;
  }
}

export async function measureRun(ctx, c, rep) {
  const req = requestFor(c);
  const reqFile = join(ctx.tmp, `${c.name}.req`);
  writeRequests(reqFile, [req]);
  const daemon =
    c.kind === 'direct'
      ? undefined
      : await startDaemon(ctx, `${c.name}.r${rep}`, { floor: c.kind === 'floor', root: c.root });
  const url = daemon ? daemon.url : ctx.upstream.url;
  const pids = { daemon: daemon?.pid, upstream: ctx.upstream.pid };
  const load = (seconds) =>
    runLoad({ tool: ctx.tool, url, connections: c.conns, seconds, requestsFile: reqFile });
  try {
    await checkReply(url, req, c);
    if (ctx.opts.warmup > 0) await load(ctx.opts.warmup);
    // The warm-up's cut connections leave abandoned requests that are settled at their counted
    // prompt (first use of the tokenizer): one-off work that must not land in the measured window.
    if (daemon) await quietDown(daemon.pid);
    const upstreamConns = async () => (await getJson(`${ctx.upstream.url}/__stats`)).body.connections;
    const c0 = await upstreamConns();
    const a = snapshot(pids);
    const r = await load(ctx.opts.duration);
    const b = snapshot(pids);
    const c1 = await upstreamConns();
    const run = {
      case: c.name,
      rep,
      requests: r.requests,
      rps: r.rps,
      p50Ms: r.p50Ms,
      p90Ms: r.p90Ms,
      p99Ms: r.p99Ms,
      errors: r.errors,
      latencyResolutionMs: r.resolutionMs,
      errorKinds: r.errors ? r.errorKinds : undefined,
      ...cpuFigures(a, b, r.requests),
      // Connections the daemon opened to the upstream per 1000 requests (keep-alive: ~0).
      upstreamConnsPerKReq: daemon && r.requests ? (1000 * (c1 - c0)) / r.requests : undefined,
      peakRssMb: daemon ? memory(daemon.pid).hwm / 2 ** 20 : undefined,
      readyMs: daemon?.readyMs,
    };
    if (c.mode === 'sse' && c.conns === 1) {
      // Time to the first body byte on one keep-alive connection, from this process.
      const t = await timeSequential(
        url + req.path,
        { headers: req.headers, body: req.body, timeoutMs: 10_000 },
        { count: 200, warmup: 20 },
      );
      run.ttfbMs = median(t.firstByte);
    }
    return run;
  } catch (e) {
    return { case: c.name, rep, error: e.message };
  } finally {
    await daemon?.stop();
  }
}
