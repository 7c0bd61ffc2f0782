import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { readReady, type ReadyMessage } from '../shared/ready-signal.js';

/** How a spawned daemon's start ended: it said it is ready, it exited, or neither in time. */
export type SpawnOutcome<D> = { ready: ReadyMessage<D> } | { exitCode: number } | { timedOut: true };

export interface SpawnedDaemon<D> {
  pid: number;
  /** Waits for the ready line or the exit, at most `timeoutMs`; afterwards nothing keeps this process alive. */
  outcome(timeoutMs: number): Promise<SpawnOutcome<D>>;
}

/** The file descriptor the daemon writes its ready line to (stdin, stdout, stderr, then this). */
const READY_FD = 3;

/**
 * Spawns `cmd args --ready-fd 3` detached, in its own session, with stdout and stderr appended to
 * `log` (a crash trace lands there too) and a pipe on fd 3 for the ready line (ready-signal.ts).
 * node:child_process directly: the start path is what a user waits on, and it needs no more.
 */
export function spawnReporting<D>(
  cmd: string,
  args: string[],
  opts: { log: string; cwd: string; env: NodeJS.ProcessEnv },
): SpawnedDaemon<D> {
  const fd = openSync(opts.log, 'a', 0o600);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(cmd, [...args, '--ready-fd', String(READY_FD)], {
      detached: true,
      stdio: ['ignore', fd, fd, 'pipe'],
      cwd: opts.cwd,
      env: opts.env,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the gateway daemon');
  const pipe = child.stdio[READY_FD] as Readable;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', () => resolve(1));
  });
  const ready = readReady<D>(pipe);
  return {
    pid,
    async outcome(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<{ timedOut: true }>((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
      });
      try {
        const first = await Promise.race([ready.then((m) => ({ m })), timedOut]);
        if ('timedOut' in first) return first;
        if (first.m && first.m.state.pid === pid) return { ready: first.m };
        // The pipe closed without a ready line: the daemon is exiting.
        return await Promise.race([exited.then((exitCode) => ({ exitCode })), timedOut]);
      } finally {
        clearTimeout(timer);
        pipe.destroy();
        child.unref();
      }
    },
  };
}
