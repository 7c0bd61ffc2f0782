// The figures that are not per-case throughput: start to ready and idle RSS, RSS over a steady
// mixed load (soak), and failed requests while the config is reloaded under load.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { mixedRequests } from './cases.mjs';
import { configYaml, hasDetachedStart, startDetached } from './daemon.mjs';
import { getJson } from './http.mjs';
import { runLoad, writeRequests } from './load.mjs';
import { homeFor, startDaemon } from './measure.mjs';
import { memory } from './proc.mjs';
import { median } from './stats.mjs';

const MB = 2 ** 20;

/**
 * Start to ready (foreground, and detached when the build has it), idle RSS 1 s after ready, and
 * (on the last start) after 15 s of idleness, once V8 has given back the start's young generation
 * as it does for an idle process: what a sidecar that waits for its agent holds.
 */
export async function measureStart(ctx, reps = 5) {
  const out = { foreground: [], detached: [], idleRssMb: [], settledRssMb: undefined };
  for (let i = 0; i < reps; i++) {
    const d = await startDaemon(ctx, `start-fg.r${i + 1}`, { root: ctx.root });
    try {
      out.foreground.push(d.readyMs);
      await sleep(1000);
      out.idleRssMb.push(memory(d.pid).rss / MB);
      if (i === reps - 1) {
        await sleep(14_000);
        out.settledRssMb = memory(d.pid).rss / MB;
      }
    } finally {
      await d.stop();
    }
  }
  if (hasDetachedStart(ctx.root)) {
    for (let i = 0; i < reps; i++) {
      let d;
      try {
        d = await startDetached({
          home: homeFor(ctx, `start-detached.r${i + 1}`),
          core: ctx.cores.daemon,
          canPin: ctx.canPin,
          root: ctx.root,
        });
        out.detached.push(d.readyMs);
      } catch (e) {
        out.detachedError = e.message;
        break;
      } finally {
        await d?.stop();
      }
    }
  }
  return {
    readyMs: median(out.detached.length ? out.detached : out.foreground),
    readyMode: out.detached.length ? 'detached' : 'foreground',
    foregroundReadyMs: median(out.foreground),
    detachedReadyMs: median(out.detached),
    detachedError: out.detachedError,
    idleRssMb: median(out.idleRssMb),
    settledIdleRssMb: out.settledRssMb,
    raw: out,
  };
}

/** Steady mixed load (every path × mode × size) at 50 connections for `seconds`, RSS sampled every second. */
export async function measureSoak(ctx, seconds) {
  const d = await startDaemon(ctx, 'soak', { root: ctx.root });
  const file = join(ctx.tmp, 'soak.req');
  writeRequests(file, mixedRequests());
  const samples = [];
  try {
    const idleRssMb = memory(d.pid).rss / MB;
    const t0 = performance.now();
    const timer = setInterval(() => {
      try {
        samples.push({ s: (performance.now() - t0) / 1000, rssMb: memory(d.pid).rss / MB });
      } catch {
        // daemon gone: the load result will say so
      }
    }, 1000);
    const r = await runLoad({
      tool: ctx.tool,
      url: d.url,
      connections: 50,
      seconds,
      requestsFile: file,
    }).finally(() => clearInterval(timer));
    const peakRssMb = memory(d.pid).hwm / MB;
    const { baseMb, endMb } = growthWindows(samples.map((x) => x.rssMb));
    return {
      seconds,
      requests: r.requests,
      rps: r.rps,
      errors: r.errors,
      idleRssMb,
      baseMb,
      endMb,
      growthMb: endMb - baseMb,
      peakRssMb,
      samples,
    };
  } finally {
    await d.stop();
  }
}

/**
 * RSS after warm-up (median of the second tenth of the samples) and at the end (median of the
 * last tenth); at least one sample each.
 */
export function growthWindows(rss) {
  const n = rss.length;
  if (n === 0) return { baseMb: undefined, endMb: undefined };
  const tenth = Math.max(1, Math.floor(n / 10));
  const from = Math.min(n - 1, tenth);
  return { baseMb: median(rss.slice(from, from + tenth)), endMb: median(rss.slice(n - tenth)) };
}

/**
 * `count` config reloads (each a real change to the file, confirmed by the daemon's
 * config_generation) under mixed small load at 50 connections; counts failed requests.
 */
export async function measureReload(ctx, count) {
  const d = await startDaemon(ctx, 'reload', { root: ctx.root });
  const config = d.home.config;
  const file = join(ctx.tmp, 'reload.req');
  writeRequests(file, mixedRequests({ sizes: ['small'] }));
  const generation = async () => (await getJson(`${d.url}/health/readiness`)).body?.config_generation;
  const control = {};
  const maxSeconds = Math.max(30, count * 3);
  try {
    const loadDone = runLoad({
      tool: ctx.tool,
      url: d.url,
      connections: 50,
      seconds: maxSeconds,
      requestsFile: file,
      control,
    });
    await sleep(1000);
    let gen = await generation();
    const latencies = [];
    let misses = 0;
    for (let i = 1; i <= count && misses < 3; i++) {
      const t0 = performance.now();
      writeFileSync(config, configYaml(ctx.upstream.port, `reload ${i}`));
      const deadline = Date.now() + 5000;
      let now = gen;
      while (now === gen && Date.now() < deadline) {
        await sleep(10);
        now = await generation();
      }
      if (now === gen) misses++;
      else {
        misses = 0;
        latencies.push(performance.now() - t0);
        gen = now;
      }
    }
    await sleep(500);
    control.stop();
    const r = await loadDone;
    return {
      attempted: count,
      reloads: latencies.length,
      reloadMs: median(latencies),
      requests: r.requests,
      errors: r.errors,
      errorKinds: r.errorKinds,
      note:
        misses >= 3
          ? 'the daemon did not pick up 3 config changes in a row (hot reload missing?)'
          : undefined,
    };
  } finally {
    control.stop?.();
    await d.stop();
  }
}
