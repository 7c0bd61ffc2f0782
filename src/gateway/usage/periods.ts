/** UTC calendar periods: the days of the spend ledger and the windows of `usd_per_day` / `usd_per_month`. */

export type Period = 'day' | 'month';

const DAY_MS = 86_400_000;
/** The last day asked for, with its [start, end) in ms: labels are asked for several times per request. */
let dayCache = { start: 0, end: 0, day: '', month: '' };

function labelsOf(ms: number): typeof dayCache {
  if (ms >= dayCache.start && ms < dayCache.end) return dayCache;
  const start = Math.floor(ms / DAY_MS) * DAY_MS;
  const iso = new Date(start).toISOString();
  dayCache = { start, end: start + DAY_MS, day: iso.slice(0, 10), month: iso.slice(0, 7) };
  return dayCache;
}

/** `YYYY-MM-DD` (UTC) of a time in ms. */
export function dayOf(ms: number): string {
  return labelsOf(ms).day;
}

/** `YYYY-MM` (UTC) of a time in ms. */
export function monthOf(ms: number): string {
  return labelsOf(ms).month;
}

/** The period's label for a time: a day or a month. */
export function periodLabel(period: Period, ms: number): string {
  return period === 'day' ? dayOf(ms) : monthOf(ms);
}

/** When the period containing `ms` ends (the next UTC midnight, or the first of the next month). */
export function periodEnd(period: Period, ms: number): number {
  const d = new Date(ms);
  return period === 'day'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The first day (`YYYY-MM-DD`) of the month containing `ms`. */
export function monthStart(ms: number): string {
  return `${monthOf(ms)}-01`;
}
