import { close, fdatasync, mkdirSync, openSync, writeSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/log.js';
import { PRIVATE_DIR, PRIVATE_FILE } from '../../shared/paths.js';
import { addRecord, type DayRows, type SpendRecord, type SumFile } from './ledger-format.js';
import { dayOf } from './periods.js';

export interface LedgerOptions {
  /** `<state dir>/spend` */
  dir: string;
  log: Logger;
  /** How often written records are fsynced, ms (default 1000). */
  syncMs?: number;
  /** How often each file's `.sum.json` is refreshed, ms (default 10000). */
  sumMs?: number;
}

interface OpenFile {
  day: string;
  path: string;
  fd: number;
  /** Bytes written so far: the offset the rows cover. */
  bytes: number;
  rows: DayRows;
  summedBytes: number;
  syncedBytes: number;
}

/**
 * The durable spend ledger: an append-only JSON-lines file per day for this daemon run. `append`
 * hands each record to the kernel at once (one `write` of one line, as the request ends), so a
 * `kill -9` loses nothing that was answered; fsync stays periodic (about once a second, for power
 * loss), and each file is summed into `<run>.sum.json` every few seconds so that a restart reads
 * only the newest lines. A torn last line (a machine crash mid-write) is skipped by the reader.
 */
export class Ledger {
  readonly run = `${Date.now().toString(36)}-${process.pid}`;
  private readonly files = new Map<string, OpenFile>();
  private readonly timers: NodeJS.Timeout[];
  private error: string | undefined;
  private closed = false;
  /** Files of past days being finished (fsync, sum, close) in the background. */
  private finishing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LedgerOptions) {
    this.timers = [
      setInterval(() => void this.sync(), opts.syncMs ?? 1000),
      setInterval(() => void this.writeSums(false), opts.sumMs ?? 10_000),
    ];
    for (const t of this.timers) t.unref();
  }

  append(r: SpendRecord): void {
    if (this.closed) return;
    const day = dayOf(r.ts);
    const line = Buffer.from(`${JSON.stringify(r)}\n`, 'utf8');
    try {
      const f = this.file(day);
      writeAllSync(f.fd, line);
      f.bytes += line.length;
      addRecord(f.rows, r, day);
      this.error = undefined;
    } catch (e) {
      if (this.error === undefined) {
        this.opts.log.error({ error: (e as Error).message, lost: 1 }, 'cannot write the spend ledger');
      }
      this.error = (e as Error).message;
    }
  }

  /** The last write error, when records could not be written (the gateway keeps serving). */
  get lastError(): string | undefined {
    return this.error;
  }

  /** Every appended record is already written; this waits for past days' files to be finished. */
  flush(): Promise<void> {
    return this.finishing;
  }

  private file(day: string): OpenFile {
    const open_ = this.files.get(day);
    if (open_) return open_;
    // A new day: the previous days' files are complete.
    for (const f of [...this.files.values()]) {
      if (f.day < day) {
        this.files.delete(f.day);
        this.finishing = this.finishing.then(() => this.finish(f));
      }
    }
    const dir = join(this.opts.dir, day);
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    const path = join(dir, `${this.run}.jsonl`);
    const fd = openSync(path, 'a', PRIVATE_FILE);
    const f: OpenFile = { day, path, fd, bytes: 0, rows: new Map(), summedBytes: -1, syncedBytes: 0 };
    this.files.set(day, f);
    return f;
  }

  private async finish(f: OpenFile): Promise<void> {
    await datasync(f.fd);
    await this.writeSum(f);
    await new Promise<void>((r) => close(f.fd, () => r()));
  }

  private async sync(): Promise<void> {
    for (const f of this.files.values()) {
      if (f.bytes === f.syncedBytes) continue;
      const bytes = f.bytes;
      await datasync(f.fd);
      f.syncedBytes = bytes;
    }
  }

  private async writeSums(all: boolean): Promise<void> {
    for (const f of this.files.values()) if (all || f.bytes !== f.summedBytes) await this.writeSum(f);
  }

  /** Atomically replace the file's sum; it only ever covers bytes already written. */
  private async writeSum(f: OpenFile): Promise<void> {
    if (f.bytes === f.summedBytes) return;
    const sum: SumFile = { v: 1, offset: f.bytes, rows: [...f.rows.values()] };
    const target = f.path.replace(/\.jsonl$/, '.sum.json');
    try {
      await writeFile(`${target}.tmp`, `${JSON.stringify(sum)}\n`, { mode: PRIVATE_FILE });
      await rename(`${target}.tmp`, target);
      f.summedBytes = sum.offset;
    } catch (e) {
      this.opts.log.warn({ error: (e as Error).message }, 'cannot write the spend ledger summary');
    }
  }

  /** fsync, write the sums, close the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    this.closed = true;
    await this.finishing;
    for (const f of [...this.files.values()]) {
      this.files.delete(f.day);
      await this.finish(f);
    }
  }
}

/** One line, all of it, before returning: a killed process cannot lose what was handed over. */
function writeAllSync(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw new Error('short write to the spend ledger');
    off += n;
  }
}

function datasync(fd: number): Promise<void> {
  return new Promise((r) => fdatasync(fd, () => r()));
}
