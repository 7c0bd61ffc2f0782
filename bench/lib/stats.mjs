// Small numeric helpers for summarising repeated runs.

/** Median of the finite numbers in `xs` (mean of the middle two for an even count); undefined when none. */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * The runs to summarise: those whose foreign CPU (other tenants' load, % of one core) stayed at or
 * below `maxForeign`, as long as at least two are left; otherwise all of them.
 */
export function quietRuns(runs, maxForeign = 20) {
  const quiet = runs.filter((r) => !(r.foreignPct > maxForeign));
  return quiet.length >= 2 || quiet.length === runs.length ? quiet : runs;
}

/** Median of each numeric field over `runs` (fields missing in a run are skipped for that run). */
export function medianFields(runs, fields) {
  const out = {};
  for (const f of fields) out[f] = median(runs.map((r) => r[f]));
  return out;
}

/** `n` rounded to `digits` decimals, or undefined. */
export function round(n, digits = 0) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  const k = 10 ** digits;
  return Math.round(n * k) / k;
}
