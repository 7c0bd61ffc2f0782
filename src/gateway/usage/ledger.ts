import { mkdir, open, rename, writeFile, type FileHandle } from 'node:fs/promises';
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
  fh: FileHandle;
  /** Bytes written so far: the offset the rows cover. */
  bytes: number;
  rows: DayRows;
  summedBytes: number;
  syncedBytes: number;
}

/**
 * The durable spend ledger: an append-only JSON-lines file per day for this daemon run. `append`
 * is O(1) and never blocks the request: records are written in batches (one `write` per batch,
 * queued behind the previous one), fsynced about once a second, and summed into `<run>.sum.json`
 * every few seconds so that a restart reads only the newest lines. A `kill -9` loses at most the
 * batch not yet written; a torn last line is skipped by the reader.
 */
export class Ledger {
  readonly run = `${Date.now().toString(36)}-${process.pid}`;
  private pending: SpendRecord[] = [];
  private readonly files = new Map<string, OpenFile>();
  private draining: Promise<void> | undefined;
  private scheduled = false;
  private readonly timers: NodeJS.Timeout[];
  private error: string | undefined;
  private closed = false;

  constructor(private readonly opts: LedgerOptions) {
    this.timers = [
      setInterval(() => void this.sync(), opts.syncMs ?? 1000),
      setInterval(() => void this.writeSums(false), opts.sumMs ?? 10_000),
    ];
    for (const t of this.timers) t.unref();
  }

  append(r: SpendRecord): void {
    if (this.closed) return;
    this.pending.push(r);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** The last write error, when records could not be written (the gateway keeps serving). */
  get lastError(): string | undefined {
    return this.error;
  }

  /** Write every pending record. */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      let i = 0;
      while (i < batch.length) {
        const day = dayOf(batch[i].ts);
        let j = i;
        let text = '';
        while (j < batch.length && dayOf(batch[j].ts) === day) text += `${JSON.stringify(batch[j++])}\n`;
        try {
          const f = await this.file(day);
          await writeAll(f.fh, Buffer.from(text, 'utf8'));
          f.bytes += Buffer.byteLength(text);
          for (let k = i; k < j; k++) addRecord(f.rows, batch[k], day);
          this.error = undefined;
        } catch (e) {
          if (this.error === undefined) {
            this.opts.log.error(
              { error: (e as Error).message, lost: j - i },
              'cannot write the spend ledger',
            );
          }
          this.error = (e as Error).message;
        }
        i = j;
      }
    }
  }

  private async file(day: string): Promise<OpenFile> {
    const open_ = this.files.get(day);
    if (open_) return open_;
    // A new day: the previous days' files are complete.
    for (const f of [...this.files.values()]) if (f.day < day) await this.finish(f);
    const dir = join(this.opts.dir, day);
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
    const path = join(dir, `${this.run}.jsonl`);
    const fh = await open(path, 'a', PRIVATE_FILE);
    const f: OpenFile = { day, path, fh, bytes: 0, rows: new Map(), summedBytes: -1, syncedBytes: 0 };
    this.files.set(day, f);
    return f;
  }

  private async finish(f: OpenFile): Promise<void> {
    this.files.delete(f.day);
    await f.fh.datasync().catch(() => undefined);
    await this.writeSum(f);
    await f.fh.close().catch(() => undefined);
  }

  private async sync(): Promise<void> {
    for (const f of this.files.values()) {
      if (f.bytes === f.syncedBytes) continue;
      const bytes = f.bytes;
      await f.fh.datasync().catch(() => undefined);
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

  /** Write what is pending, fsync, write the sums, close the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    await this.flush();
    this.closed = true;
    for (const f of [...this.files.values()]) await this.finish(f);
  }
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    if (bytesWritten <= 0) throw new Error('short write to the spend ledger');
    off += bytesWritten;
  }
}
