import { fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { PRIVATE_DIR, PRIVATE_FILE } from './paths.js';
import { batchedFileSink, isRegularFile, type LogSink } from './log-sink.js';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear. */
export const REDACT = [
  'authorization',
  'x-api-key',
  'api_key',
  'apiKey',
  'master_key',
  'masterKey',
  'key',
  '*.authorization',
  '*.x-api-key',
  '*.api_key',
  '*.apiKey',
  '*.key',
  'headers.authorization',
  'headers["x-api-key"]',
];

/**
 * pino to a file (the daemon log) or to stderr (foreground, tests). Level from
 * `LITELLM_LOG_LEVEL`, default info. Never prompt text, never keys.
 */
export function createLogger(opts: { file?: string; level?: string } = {}): Logger {
  const level = opts.level ?? process.env.LITELLM_LOG_LEVEL ?? 'info';
  const dest = opts.file ? privateFile(opts.file) : toFd(2);
  return pino({ level, base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, dest);
}

/** The log file, owner-only (0600, in a 0700 directory when it creates one), also when it existed. */
function privateFile(file: string): LogSink | ReturnType<typeof pino.destination> {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR });
  const fd = openSync(file, 'a', PRIVATE_FILE);
  fchmodSync(fd, PRIVATE_FILE);
  return toFd(fd);
}

/** A regular file gets batched writes; a pipe or terminal pino's own destination (it retries EAGAIN). */
function toFd(fd: number): LogSink | ReturnType<typeof pino.destination> {
  return isRegularFile(fd) ? batchedFileSink(fd) : pino.destination({ fd, sync: false });
}

/** A logger that drops everything (tests, in-process apps). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
