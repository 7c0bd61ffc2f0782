import { join } from 'node:path';
import { readSpend, allRows } from '../../gateway/usage/ledger-read.js';
import { addRow, emptyRow, type SpendRow } from '../../gateway/usage/ledger-format.js';
import { monthStart } from '../../gateway/usage/periods.js';
import { formatUsd } from '../../gateway/usage/pricing.js';
import { stateDir } from '../../shared/paths.js';
import { EXIT, ExitError, err, json, out } from '../output.js';
import { table } from '../table.js';

const BY = ['key', 'alias', 'deployment'] as const;
type By = (typeof BY)[number];

/** `spend --json`: stable, documented in the README. */
export interface SpendJson {
  total_usd: number;
  since: string;
  rows: SpendRow[];
}

/**
 * `agentbox litellm spend [--by key|alias|deployment] [--since DATE] [--json]`: totals from the
 * ledger in the state dir (read directly: the gateway need not run). Without `--by`, one row per
 * day, key, alias and deployment; with it, one row per key (or alias, or deployment) for the whole
 * period. `--since` defaults to the first day of this month (UTC).
 */
export async function spend(opts: { by?: string; since?: string; json?: boolean }): Promise<void> {
  if (opts.by !== undefined && !BY.includes(opts.by as By)) {
    throw new ExitError(EXIT.usage, `agentbox: --by must be one of ${BY.join(', ')}, not "${opts.by}"`);
  }
  const since = opts.since === undefined ? monthStart(Date.now()) : parseDate(opts.since);
  const dir = join(stateDir(process.env), 'spend');
  const days = await readSpend(dir, { since });
  const rows = group(allRows(days), opts.by as By | undefined);
  const total = round(rows.reduce((s, r) => s + r.usd, 0));
  if (opts.json) return json({ total_usd: total, since, rows } satisfies SpendJson);

  if (rows.length === 0) {
    out(`no spend recorded since ${since}`);
    return;
  }
  const name = (v: string | null): string => v ?? '-';
  const header = opts.by ? [opts.by.toUpperCase()] : ['DAY', 'KEY', 'ALIAS', 'DEPLOYMENT'];
  const cells = rows.map((r) => [
    ...(opts.by ? [name(r[opts.by as By])] : [r.day ?? '', name(r.key), name(r.alias), name(r.deployment)]),
    String(r.requests),
    String(r.input_tokens + r.cache_read_tokens + r.cache_write_tokens),
    String(r.output_tokens),
    usdCell(r),
  ]);
  out(table([...header, 'REQUESTS', 'INPUT', 'OUTPUT', 'USD'], cells, opts.by ? {} : { blankRepeats: 0 }));
  out(`total $${formatUsd(total, 4)} since ${since}`);
  const unpriced = rows.reduce((s, r) => s + r.unpriced_requests, 0);
  if (unpriced) err(`${unpriced} request(s) had no known price and are not in the total`);
  const plan = rows.reduce((s, r) => s + (r.plan_requests ?? 0), 0);
  const all = rows.reduce((s, r) => s + r.requests, 0);
  if (plan) out(`${plan} request(s) on a subscription plan (auth: client), ${all - plan} metered`);
}

/** An unknown price is shown as unknown, never as $0. */
export function usdCell(r: Pick<SpendRow, 'requests' | 'unpriced_requests' | 'usd'>): string {
  if (r.unpriced_requests >= r.requests) return 'unknown';
  const usd = `$${formatUsd(r.usd, 4)}`;
  return r.unpriced_requests > 0 ? `${usd} + ${r.unpriced_requests} unpriced` : usd;
}

function group(rows: SpendRow[], by: By | undefined): SpendRow[] {
  let out: SpendRow[];
  if (!by) out = rows.map((r) => ({ ...r }));
  else {
    const m = new Map<string, SpendRow>();
    for (const r of rows) {
      const k = r[by] ?? '';
      let g = m.get(k);
      if (!g) {
        g = emptyRow(null, null, null, null);
        g[by] = r[by];
        m.set(k, g);
      }
      addRow(g, r);
    }
    out = [...m.values()];
  }
  for (const r of out) r.usd = round(r.usd);
  return out.sort(
    (a, b) =>
      (a.day ?? '').localeCompare(b.day ?? '') ||
      b.usd - a.usd ||
      (a[by ?? 'key'] ?? '').localeCompare(b[by ?? 'key'] ?? ''),
  );
}

/** `YYYY-MM-DD`, or any date `Date` parses (its UTC day). */
function parseDate(s: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))) return s;
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw new ExitError(EXIT.usage, `agentbox: --since wants a date like 2026-01-31, not "${s}"`);
  return new Date(t).toISOString().slice(0, 10);
}

const round = (usd: number): number => Math.round(usd * 1e10) / 1e10;
