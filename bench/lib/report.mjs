// Summaries (median over quiet runs), the Markdown tables and the target checks.
import { SIZE_LABELS } from './bodies.mjs';
import { directCaseFor, floorFor, passthroughFor, PATHS, caseName, sizesFor } from './cases.mjs';
import { medianFields, quietRuns, round } from './stats.mjs';

const FIELDS = [
  'rps',
  'p50Ms',
  'p99Ms',
  'cpuUsPerReq',
  'upstreamUsPerReq',
  'peakRssMb',
  'ttfbMs',
  'daemonCorePct',
  'loadCorePct',
];

/** Per case: medians over the runs kept by `quietRuns`, plus the direct comparison for 1 connection. */
export function summarise(cases, runs, maxForeign = 20) {
  const by = new Map();
  for (const c of cases) {
    const all = runs.filter((r) => r.case === c.name);
    const ok = all.filter((r) => !r.error);
    const used = quietRuns(ok, maxForeign);
    const s = {
      name: c.name,
      kind: c.kind,
      path: c.path.name,
      label: c.path.label,
      mode: c.mode,
      size: c.size,
      conns: c.conns,
      reps: `${used.length}/${all.length}`,
      errors: ok.reduce((n, r) => n + (r.errors ?? 0), 0),
      foreignPctMax: round(Math.max(0, ...used.map((r) => r.foreignPct ?? 0)), 1),
      error: ok.length === 0 ? all.find((r) => r.error)?.error : undefined,
      ...medianFields(used, FIELDS),
    };
    by.set(c.name, s);
  }
  // CPU per request against the floor proxy of the same run (same dialect, mode, size, conns),
  // and a translating path's against its passthrough's.
  for (const c of cases) {
    if (c.kind !== 'gateway') continue;
    const s = by.get(c.name);
    const f = floorFor(c.path) && by.get(caseName(floorFor(c.path).name, c.mode, c.size, c.conns));
    if (f?.cpuUsPerReq && s.cpuUsPerReq !== undefined) s.xFloor = s.cpuUsPerReq / f.cpuUsPerReq;
    if (c.conns !== 50) continue;
    const p = !c.path.passthrough && by.get(caseName(passthroughFor(c.path).name, c.mode, c.size, 50));
    if (p?.cpuUsPerReq && s.cpuUsPerReq !== undefined) s.xPassthrough = s.cpuUsPerReq / p.cpuUsPerReq;
  }
  for (const c of cases) {
    if (c.kind === 'direct' || c.conns !== 1) continue;
    const s = by.get(c.name);
    const d = by.get(directCaseFor(c).name);
    if (!d) continue;
    // Added latency needs sub-millisecond timings (wrk); autocannon's are whole milliseconds.
    const coarse = runs.some((r) => (r.case === c.name || r.case === d.name) && r.latencyResolutionMs >= 1);
    if (!coarse && s.p50Ms !== undefined && d.p50Ms !== undefined) s.addedP50Ms = s.p50Ms - d.p50Ms;
    if (s.ttfbMs !== undefined && d.ttfbMs !== undefined) s.addedTtfbMs = s.ttfbMs - d.ttfbMs;
  }
  return by;
}

const fmt = (n, digits = 0) => {
  const r = round(n, digits);
  return r === undefined
    ? '–'
    : r.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

/** The per-case Markdown table. */
export function caseTable(summaries) {
  const lines = [
    '| path | mode | body | conns | req/s | p50 ms | p99 ms | daemon CPU µs/req | × floor | × passthrough | peak RSS MB | added p50 ms | added TTFB ms | errors | reps |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summaries) {
    const head = `| ${s.label} | ${s.mode.toUpperCase()} | ${SIZE_LABELS[s.size] ?? s.size} | ${s.conns}`;
    if (s.error) {
      lines.push(`${head} | failed: ${s.error.slice(0, 120).replace(/\|/g, '/')} | | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `${head} | ${fmt(s.rps)} | ${fmt(s.p50Ms, 2)} | ${fmt(s.p99Ms, 2)} | ${s.kind === 'direct' ? '–' : fmt(s.cpuUsPerReq)} | ${fmt(s.xFloor, 2)} | ${fmt(s.xPassthrough, 2)} | ${fmt(s.peakRssMb)} | ${fmt(s.addedP50Ms, 2)} | ${fmt(s.addedTtfbMs, 2)} | ${s.errors} | ${s.reps} |`,
    );
  }
  return lines.join('\n');
}

/** The targets of the benchmark issue, checked against the summaries and the extra figures. */
export function targets(by, extras) {
  const rows = [];
  const add = (target, measured, limit, unit, digits = 0, note = '') => {
    if (measured === undefined || Number.isNaN(measured)) return;
    rows.push({ target, measured: round(measured, digits), limit, unit, ok: measured <= limit, note });
  };
  const at = (path, mode, size) => by.get(caseName(path, mode, size, 50));
  for (const p of PATHS.filter((x) => x.passthrough)) {
    for (const size of sizesFor(p)) {
      const limit = size === 'small' ? 1.3 : 1.5;
      for (const mode of ['json', 'sse'])
        add(
          `${p.label} ${mode.toUpperCase()} ${SIZE_LABELS[size]}: CPU/request vs the floor proxy`,
          at(p.name, mode, size)?.xFloor,
          limit,
          '×',
          2,
        );
    }
  }
  for (const p of PATHS.filter((x) => !x.passthrough)) {
    for (const size of sizesFor(p))
      for (const mode of ['json', 'sse'])
        add(
          `${p.label} ${mode.toUpperCase()} ${SIZE_LABELS[size]} vs ${passthroughFor(p).label}`,
          at(p.name, mode, size)?.xPassthrough,
          2,
          '×',
          2,
        );
  }
  const added = [...by.values()].filter(
    (s) => s.kind === 'gateway' && s.conns === 1 && s.size === 'small' && s.addedP50Ms !== undefined,
  );
  if (added.length) {
    const worst = added.reduce((a, b) => (b.addedP50Ms > a.addedP50Ms ? b : a));
    add('added p50 at 1 connection (worst small case)', worst.addedP50Ms, 0.2, 'ms', 3, worst.name);
    // For scale: what the floor proxy itself adds at 1 connection in the same run.
    const floors = [...by.values()].filter(
      (s) => s.kind === 'floor' && s.conns === 1 && s.addedP50Ms !== undefined,
    );
    if (floors.length) {
      const f = floors.reduce((a, b) => (b.addedP50Ms > a.addedP50Ms ? b : a));
      add(
        'added p50 at 1 connection, the floor proxy (worst small case)',
        f.addedP50Ms,
        0.2,
        'ms',
        3,
        f.name,
      );
    }
  }
  const peak = (size) => {
    const rows = [...by.values()].filter(
      (s) => s.kind === 'gateway' && s.size === size && s.conns === 50 && s.peakRssMb !== undefined,
    );
    return rows.length ? rows.reduce((a, b) => (b.peakRssMb > a.peakRssMb ? b : a)) : undefined;
  };
  const small = peak('small');
  if (small)
    add('peak RSS, 50 connections of small requests (worst case)', small.peakRssMb, 120, 'MB', 0, small.name);
  const huge = peak('huge');
  if (huge)
    add('peak RSS, 50 connections of 1 MB requests (worst case)', huge.peakRssMb, 250, 'MB', 0, huge.name);
  if (extras.start) {
    add('idle RSS, 1 s after ready', extras.start.idleRssMb, 60, 'MB', 1);
    add('idle RSS, after 15 s idle', extras.start.settledIdleRssMb, 60, 'MB', 1);
    add('start to ready (foreground)', extras.start.foregroundReadyMs, 300, 'ms');
    if (extras.start.readyMode === 'detached')
      add('start to ready (detached `agentbox litellm start`)', extras.start.readyMs, 500, 'ms');
  }
  if (extras.soak) {
    add(`RSS growth over a ${extras.soak.seconds} s mixed load`, extras.soak.growthMb, 5, 'MB', 1);
  }
  if (extras.reload)
    add(`failed requests during ${extras.reload.reloads} reloads`, extras.reload.errors, 0, '');
  return rows;
}

export function targetTable(rows) {
  const lines = ['| target | measured | limit | |', '|---|---:|---:|---|'];
  for (const r of rows) {
    lines.push(
      `| ${r.target}${r.note ? ` (${r.note})` : ''} | ${r.measured} ${r.unit} | ${r.limit} ${r.unit} | ${r.ok ? 'ok' : '**over**'} |`,
    );
  }
  return lines.join('\n');
}

/** Start, soak and reload figures as a short Markdown list. */
export function extrasText(extras) {
  const out = [];
  const s = extras.start;
  if (s) {
    out.push(
      `- Start to ready: ${fmt(s.readyMs)} ms (${s.readyMode}; foreground ${fmt(s.foregroundReadyMs)} ms${s.detachedError ? `; detached failed: ${s.detachedError}` : ''}), idle RSS ${fmt(s.idleRssMb, 1)} MB 1 s after ready (median of ${s.raw.foreground.length}), ${fmt(s.settledIdleRssMb, 1)} MB after 15 s idle.`,
    );
  }
  const k = extras.soak;
  if (k) {
    out.push(
      `- Soak: ${k.seconds} s of mixed load (5 paths × JSON/SSE × small/100 KB, 50 connections): ${fmt(k.rps)} req/s, ${k.errors} errors; RSS ${fmt(k.idleRssMb, 1)} MB idle → ${fmt(k.baseMb, 1)} MB after warm-up → ${fmt(k.endMb, 1)} MB at the end (growth ${fmt(k.growthMb, 1)} MB), peak ${fmt(k.peakRssMb, 1)} MB.`,
    );
  }
  const r = extras.reload;
  if (r) {
    out.push(
      `- Reload: ${r.reloads} of ${r.attempted} config changes picked up (median ${fmt(r.reloadMs)} ms from write to new generation) under mixed load of ${fmt(r.requests)} requests: ${r.errors} failed.${r.note ? ` ${r.note}` : ''}`,
    );
  }
  return out.join('\n');
}
