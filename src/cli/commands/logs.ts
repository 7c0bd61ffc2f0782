import { open, stat } from 'node:fs/promises';
import { logFile } from '../../shared/paths.js';
import { sleep } from '../daemon-client.js';
import { formatLogLine } from '../log-format.js';
import { EXIT, ExitError, err, out, stdoutClosed } from '../output.js';

const FOLLOW_POLL_MS = 200;

/** `agentbox litellm logs [-f] [-n N]`: the last N lines of the daemon log, readable; `-f` keeps following. */
export async function logs(opts: { follow?: boolean; lines?: string }): Promise<void> {
  const n = opts.lines === undefined ? 50 : Number(opts.lines);
  if (!Number.isInteger(n) || n < 0) throw new ExitError(EXIT.usage, `-n: not a line count: ${opts.lines}`);
  const file = logFile(process.env);
  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined && !opts.follow) {
    err(`no gateway log yet (${file}); it appears once the gateway has been started`);
    return;
  }
  let pos = 0;
  if (size !== undefined) {
    for (const line of await lastLines(file, size, n)) out(formatLogLine(line));
    pos = size;
  }
  if (opts.follow) await follow(file, pos);
}

/** The last `n` complete lines before `size`, reading backwards in chunks. */
export async function lastLines(file: string, size: number, n: number): Promise<string[]> {
  if (n === 0 || size === 0) return [];
  const fh = await open(file, 'r');
  try {
    let start = size;
    let acc = Buffer.alloc(0);
    const chunk = 64 * 1024;
    while (start > 0) {
      const from = Math.max(0, start - chunk);
      const buf = Buffer.alloc(start - from);
      await fh.read(buf, 0, buf.length, from);
      acc = Buffer.concat([buf, acc]);
      start = from;
      if (countNewlines(acc) > n + 1) break;
    }
    // Decoded once, so a character split across chunks stays whole (a cut first line is dropped by slice).
    const text = acc.toString('utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

/** Prints lines as they are appended; starts over when the file shrinks (rotated or truncated). Ends on a closed stdout. */
async function follow(file: string, from: number): Promise<void> {
  let pos = from;
  let partial = '';
  while (!stdoutClosed()) {
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < pos) {
      pos = 0;
      partial = '';
    }
    if (size > pos) {
      const fh = await open(file, 'r');
      try {
        const buf = Buffer.alloc(size - pos);
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        pos += bytesRead;
        const text = partial + buf.subarray(0, bytesRead).toString('utf8');
        const parts = text.split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) if (line.trim()) out(formatLogLine(line));
      } finally {
        await fh.close();
      }
    }
    await sleep(FOLLOW_POLL_MS);
  }
}

function countNewlines(buf: Buffer): number {
  let count = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) count++;
  return count;
}
