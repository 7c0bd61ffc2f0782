import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { DaemonState } from './state-file.js';

/**
 * How a detached daemon tells `agentbox litellm start` it is ready, instead of being polled: the
 * start spawns it with one more pipe (`--ready-fd N`), and once it listens, watches and has written
 * the state file the daemon writes one JSON line there and closes it. A daemon that fails to start
 * closes the pipe by exiting, without that line.
 */
export interface ReadyMessage<D = unknown> {
  state: DaemonState;
  /** What `start` reports on beyond "running" (e.g. the deployments whose host is not answering). */
  deployments: D[];
}

/** Daemon side: send the ready line on `fd` and close it. Nobody listening (start was killed) is fine. */
export function signalReady(fd: number, message: ReadyMessage): Promise<void> {
  return new Promise((resolve) => {
    let socket: Socket;
    try {
      socket = new Socket({ fd, readable: false, writable: true });
    } catch {
      resolve();
      return;
    }
    socket.on('error', () => {
      socket.destroy();
      resolve();
    });
    socket.end(`${JSON.stringify(message)}\n`, () => resolve());
  });
}

/** A `--ready-fd` value: a file descriptor past stdin, stdout and stderr. */
export function parseReadyFd(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 3) throw new Error(`--ready-fd: not a file descriptor above 2: ${v}`);
  return n;
}

/**
 * Start side: the daemon's ready message, or undefined when the pipe closed without one (the
 * daemon exited) or held a line that is not a ready message.
 */
export function readReady<D>(stream: Readable): Promise<ReadyMessage<D> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (): void => {
      stream.off('data', onData);
      stream.destroy();
      resolve(parseReady<D>(Buffer.concat(chunks).toString('utf8')));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      if (chunk.includes(10)) finish();
    };
    stream.on('data', onData);
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}

export function parseReady<D>(text: string): ReadyMessage<D> | undefined {
  const line = text.split('\n')[0];
  try {
    const v = JSON.parse(line) as Partial<ReadyMessage<D>>;
    if (typeof v.state?.pid !== 'number' || typeof v.state.url !== 'string') return undefined;
    return { state: v.state, deployments: Array.isArray(v.deployments) ? v.deployments : [] };
  } catch {
    return undefined;
  }
}
