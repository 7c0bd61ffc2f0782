/**
 * The spend ledger's on-disk shapes. One JSON line per request in
 * `<state dir>/spend/<YYYY-MM-DD>/<run>.jsonl` (each daemon run appends to its own file, so a
 * file is never appended to after a crash), and beside it `<run>.sum.json`: that file's totals
 * up to a byte offset, so loading needs only the lines after it.
 */

export interface SpendRecord {
  /** ms since the epoch */
  ts: number;
  id: string;
  /** The virtual key's name (`master` for the master key; null without keys). Never its value. */
  key: string | null;
  alias: string | null;
  deployment: string | null;
  route: string;
  status: number;
  stream: boolean;
  /** Served from the response cache (no upstream call). */
  cached?: boolean;
  /** The tokens were counted by the gateway: the stream ended without the upstream's usage. */
  estimated?: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** null: the deployment's price is unknown. */
  usd: number | null;
  /** `plan`: served on the client's own subscription (auth: client), not metered. */
  billing?: 'plan';
}

export interface SpendRow {
  key: string | null;
  alias: string | null;
  deployment: string | null;
  day: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  usd: number;
  /** Requests whose price was unknown (counted in `requests`, not in `usd`). */
  unpriced_requests: number;
  /** Requests served on a subscription plan (auth: client); the rest were metered. */
  plan_requests?: number;
}

export interface SumFile {
  v: 1;
  /** Bytes of the `.jsonl` file these rows cover (always at a line end). */
  offset: number;
  rows: SpendRow[];
}

/** Rows of one day, by key/alias/deployment. */
export type DayRows = Map<string, SpendRow>;

export function rowId(key: string | null, alias: string | null, deployment: string | null): string {
  return `${key ?? ''}\u0000${alias ?? ''}\u0000${deployment ?? ''}`;
}

export function emptyRow(
  key: string | null,
  alias: string | null,
  deployment: string | null,
  day: string | null,
): SpendRow {
  return {
    key,
    alias,
    deployment,
    day,
    requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    usd: 0,
    unpriced_requests: 0,
  };
}

export function addRecord(rows: DayRows, r: SpendRecord, day: string): void {
  const id = rowId(r.key, r.alias, r.deployment);
  let row = rows.get(id);
  if (!row) rows.set(id, (row = emptyRow(r.key, r.alias, r.deployment, day)));
  row.requests++;
  row.input_tokens += r.input_tokens;
  row.output_tokens += r.output_tokens;
  row.cache_read_tokens += r.cache_read_tokens;
  row.cache_write_tokens += r.cache_write_tokens;
  if (r.usd === null) row.unpriced_requests++;
  else row.usd += r.usd;
  if (r.billing === 'plan') row.plan_requests = (row.plan_requests ?? 0) + 1;
}

export function addRow(into: SpendRow, r: SpendRow): void {
  into.requests += r.requests;
  into.input_tokens += r.input_tokens;
  into.output_tokens += r.output_tokens;
  into.cache_read_tokens += r.cache_read_tokens;
  into.cache_write_tokens += r.cache_write_tokens;
  into.usd += r.usd;
  into.unpriced_requests += r.unpriced_requests;
  if (r.plan_requests) into.plan_requests = (into.plan_requests ?? 0) + r.plan_requests;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** One ledger line → a record; null for anything torn or foreign (such lines are skipped, never guessed at). */
export function parseRecord(line: string): SpendRecord | null {
  if (!line.startsWith('{') || !line.endsWith('}')) return null;
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (
    !num(r.ts) ||
    typeof r.id !== 'string' ||
    !strOrNull(r.key) ||
    !strOrNull(r.alias) ||
    !strOrNull(r.deployment)
  ) {
    return null;
  }
  if (
    !num(r.input_tokens) ||
    !num(r.output_tokens) ||
    !num(r.cache_read_tokens) ||
    !num(r.cache_write_tokens)
  )
    return null;
  if (r.usd !== null && !num(r.usd)) return null;
  return r as unknown as SpendRecord;
}
