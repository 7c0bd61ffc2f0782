import pino, { type Logger } from 'pino';

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
  const dest = opts.file
    ? pino.destination({ dest: opts.file, mkdir: true, sync: false })
    : pino.destination({ fd: 2, sync: false });
  return pino({ level, base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, dest);
}

/** A logger that drops everything (tests, in-process apps). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
