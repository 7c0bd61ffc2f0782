import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addRecord,
  addRow,
  parseRecord,
  rowId,
  type DayRows,
  type SpendRow,
  type SumFile,
} from './ledger-format.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The ledger's totals per day, from every daemon run's file: each file's `.sum.json` (when there
 * is one) plus the complete lines written after it. A torn last line (a daemon killed mid-write)
 * and anything unparsable are skipped.
 */
export async function readSpend(
  dir: string,
  opts: { since?: string; until?: string } = {},
): Promise<Map<string, DayRows>> {
  const out = new Map<string, DayRows>();
  let days: string[];
  try {
    days = (await readdir(dir)).filter((d) => DAY.test(d));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  days.sort();
  for (const day of days) {
    if (opts.since && day < opts.since) continue;
    if (opts.until && day > opts.until) continue;
    let files: string[];
    try {
      files = (await readdir(join(dir, day))).filter((f) => f.endsWith('.jsonl'));
    } catch {
      continue;
    }
    const rows: DayRows = new Map();
    for (const f of files) {
      const file = await readFileTotals(join(dir, day, f), day);
      for (const [id, r] of file.rows) {
        const into = rows.get(id);
        if (into) addRow(into, r);
        else rows.set(id, { ...r, day });
      }
    }
    if (rows.size) out.set(day, rows);
  }
  return out;
}

/** One run's file: its totals and the byte offset they cover (a line end). */
export async function readFileTotals(path: string, day: string): Promise<{ rows: DayRows; offset: number }> {
  const rows: DayRows = new Map();
  let offset = 0;
  const sum = await readSum(path.replace(/\.jsonl$/, '.sum.json'));
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return { rows, offset };
  try {
    const { size } = await fh.stat();
    if (sum && sum.offset <= size) {
      offset = sum.offset;
      for (const r of sum.rows) rows.set(rowId(r.key, r.alias, r.deployment), { ...r, day });
    }
    if (size > offset) {
      const buf = Buffer.alloc(size - offset);
      let read = 0;
      while (read < buf.length) {
        const { bytesRead } = await fh.read(buf, read, buf.length - read, offset + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      const end = read > 0 ? buf.lastIndexOf(0x0a, read - 1) : -1;
      if (end >= 0) {
        for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
          const r = parseRecord(line);
          if (r) addRecord(rows, r, day);
        }
        offset += end + 1;
      }
    }
  } finally {
    await fh.close();
  }
  return { rows, offset };
}

async function readSum(path: string): Promise<SumFile | undefined> {
  try {
    const s = JSON.parse(await readFile(path, 'utf8')) as SumFile;
    if (s.v !== 1 || typeof s.offset !== 'number' || !Array.isArray(s.rows)) return undefined;
    return s;
  } catch {
    return undefined;
  }
}

/** Every row of every day, flattened. */
export function allRows(days: Map<string, DayRows>): SpendRow[] {
  const out: SpendRow[] = [];
  for (const rows of days.values()) for (const r of rows.values()) out.push(r);
  return out;
}
