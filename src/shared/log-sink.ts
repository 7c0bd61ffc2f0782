import { fstatSync, writeSync } from 'node:fs';

/**
 * Where log lines go when the log is a regular file: lines written in one turn of the event loop
 * are joined and written with one write(2) right after it (setImmediate), and whatever is pending
 * is written on exit. Under load that is one system call per batch instead of one per line, and no
 * thread pool round trip. A failed write (disk full) drops that batch: logging never stops the
 * gateway.
 */
export interface LogSink {
  write(line: string): void;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

/** Every sink's pending lines are written on exit, by one listener. */
const open = new Set<() => void>();
process.once('exit', () => {
  for (const flush of open) flush();
});

export function batchedFileSink(fd: number): LogSink {
  let pending: string[] = [];
  let scheduled = false;
  const flushSync = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0] : pending.join('');
    pending = [];
    const bytes = Buffer.from(text, 'utf8');
    try {
      for (let off = 0, tries = 0; off < bytes.length && tries < 100; tries++)
        off += writeSync(fd, bytes, off, bytes.length - off);
    } catch {
      // a log line that cannot be written is dropped
    }
  };
  open.add(flushSync);
  return {
    write(line) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushSync);
      }
    },
    flush(cb) {
      flushSync();
      cb?.();
    },
    flushSync,
  };
}

/** Whether `fd` is a regular file (not a pipe or a terminal, which may refuse a write for now). */
export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
