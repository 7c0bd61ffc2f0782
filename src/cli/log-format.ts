/** pino JSON lines from the daemon log, made readable: `12:03:04.512 INFO  request  route=/v1/messages …`. */

export interface LogRecord {
  time?: number;
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'v']);

export function parseLogLine(line: string): LogRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** One readable line; lines that are not pino JSON (a crash trace on stderr) come back as they are. */
export function formatLogLine(line: string, opts: { date?: boolean } = {}): string {
  const rec = parseLogLine(line);
  if (!rec) return line;
  const t = typeof rec.time === 'number' ? new Date(rec.time) : undefined;
  const time = t
    ? opts.date
      ? t.toISOString().replace('T', ' ').replace('Z', '')
      : t.toISOString().slice(11, 23)
    : '';
  const level = (LEVELS[rec.level ?? 30] ?? String(rec.level)).padEnd(5);
  const fields: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (HIDDEN.has(k) || v === undefined || v === null) continue;
    fields.push(`${k}=${formatValue(v)}`);
  }
  const head = [time, level, rec.msg ?? ''].filter((s) => s !== '').join(' ');
  return fields.length ? `${head}  ${fields.join(' ')}` : head;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The messages of error and fatal lines (and non-JSON lines, e.g. a crash trace) in a chunk of log. */
export function problemsIn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const rec = parseLogLine(line);
    if (!rec) {
      out.push(line);
      continue;
    }
    if ((rec.level ?? 0) < 50) continue;
    if (Array.isArray(rec.errors)) out.push(...rec.errors.map(String));
    else if (typeof rec.error === 'string') out.push(rec.error);
    else out.push(String(rec.msg ?? 'error'));
  }
  return out;
}
