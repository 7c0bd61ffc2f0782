/** stdout carries data (and `--json`), stderr carries diagnostics. Nothing else in src/ writes to them. */

export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2, notRunning: 3 } as const;

/** Streams whose reader went away (`agentbox … | head`): later writes to them are dropped. */
const closed = new WeakSet<NodeJS.WritableStream>();

/**
 * Makes every output command end quietly when its reader goes away: an EPIPE on stdout or stderr
 * marks the stream closed instead of surfacing as an uncaught error with a stack trace.
 */
export function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        closed.add(stream);
        return;
      }
      throw e;
    });
  }
}

/** True once stdout's reader has gone away (a following `logs -f` stops then). */
export function stdoutClosed(): boolean {
  return closed.has(process.stdout) || process.stdout.destroyed;
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (closed.has(stream) || stream.destroyed) return;
  stream.write(text);
}

export function out(text: string): void {
  write(process.stdout, text.endsWith('\n') ? text : `${text}\n`);
}

/** Exactly `text` on stdout, no newline added (a redrawn screen). */
export function outRaw(text: string): void {
  write(process.stdout, text);
}

export function err(text: string): void {
  write(process.stderr, text.endsWith('\n') ? text : `${text}\n`);
}

export function json(value: unknown): void {
  write(process.stdout, `${JSON.stringify(value, null, 2)}\n`);
}
