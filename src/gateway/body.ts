import type { IncomingMessage } from 'node:http';
import { GatewayError } from './errors.js';

export interface BodyLimits {
  maxBytes: number;
  /** Longest gap between two chunks. */
  idleMs: number;
  /** Longest time for the whole body. */
  totalMs: number;
}

/**
 * Read a request body within its limits and call `done` once, with the bytes or with the error to
 * answer: 413 as soon as the declared `Content-Length` or the bytes received pass `maxBytes`
 * (nothing more is buffered), 408 when the body stalls or drips for longer than its limits.
 */
export function readBody(
  req: IncomingMessage,
  limits: BodyLimits,
  done: (body: Buffer | GatewayError) => void,
): void {
  const tooLarge = (): GatewayError =>
    new GatewayError('payload_too_large', `request body exceeds the ${limits.maxBytes}-byte limit`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) return done(tooLarge());

  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (result: Buffer | GatewayError): void => {
    if (settled) return;
    settled = true;
    clearTimeout(idle);
    clearTimeout(total);
    req.off('data', onData);
    if (!Buffer.isBuffer(result)) chunks.length = 0;
    done(result);
  };
  const stalled = (what: string, ms: number) => () =>
    settle(
      new GatewayError(
        'timeout',
        `request body ${what} ${Math.round(ms / 1000)} s; send the whole body at once`,
        {
          status: 408,
        },
      ),
    );
  const idle = setTimeout(stalled('stalled for', limits.idleMs), limits.idleMs);
  const total = setTimeout(stalled('took longer than', limits.totalMs), limits.totalMs);
  const onData = (c: Buffer): void => {
    size += c.length;
    if (size > limits.maxBytes) return settle(tooLarge());
    chunks.push(c);
    idle.refresh();
  };
  req.on('data', onData);
  req.once('end', () => settle(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
  req.once('error', () => {
    clearTimeout(idle);
    clearTimeout(total);
    settled = true;
  });
}
