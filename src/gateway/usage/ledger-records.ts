import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecord, type SpendRecord } from './ledger-format.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface RecordPage {
  records: SpendRecord[];
  hasMore: boolean;
}

/**
 * One page of the ledger's request records, newest first, optionally only those of one key.
 * Days are read newest first and reading stops once the page (and one more record) is found, so
 * the cost follows the page asked for, not the size of the ledger.
 */
export async function readRecordPage(
  dir: string,
  opts: { key?: string | null; page: number; pageSize: number },
): Promise<RecordPage> {
  const want = opts.page * opts.pageSize + 1;
  const found: SpendRecord[] = [];
  let days: string[];
  try {
    days = (await readdir(dir)).filter((d) => DAY.test(d));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], hasMore: false };
    throw e;
  }
  days.sort().reverse();
  for (const day of days) {
    const files = (await readdir(join(dir, day)).catch(() => [] as string[])).filter((f) =>
      f.endsWith('.jsonl'),
    );
    const ofDay: SpendRecord[] = [];
    for (const f of files) {
      const text = await readFile(join(dir, day, f), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        const r = parseRecord(line);
        if (r && (opts.key === undefined || r.key === opts.key)) ofDay.push(r);
      }
    }
    ofDay.sort((a, b) => b.ts - a.ts);
    found.push(...ofDay);
    if (found.length >= want) break;
  }
  const start = (opts.page - 1) * opts.pageSize;
  return {
    records: found.slice(start, start + opts.pageSize),
    hasMore: found.length > start + opts.pageSize,
  };
}
