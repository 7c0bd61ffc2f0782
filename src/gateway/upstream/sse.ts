/**
 * The only place that reads and writes SSE bytes. The decoder is incremental: feed it chunks split
 * anywhere (even inside a multi-byte character or a CRLF) and it yields whole events.
 */

export interface SseEvent {
  /** The `event:` field, when present. */
  event?: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  id?: string;
}

export class SseDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  private buf = '';
  private event: string | undefined;
  private data: string[] = [];
  private id: string | undefined;
  private sawCR = false;

  /** Feed bytes; returns the events completed by them. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.utf8.decode(chunk, { stream: true });
    if (this.sawCR) {
      // A CR ended the previous chunk: a LF right after it belongs to the same line break.
      if (text.startsWith('\n')) text = text.slice(1);
      this.sawCR = false;
    }
    this.buf += text;
    const out: SseEvent[] = [];
    const buf = this.buf;
    let start = 0;
    if (buf.indexOf('\r') === -1) {
      // The common case: LF line endings only, found with indexOf instead of a loop over characters.
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
        this.line(buf.slice(start, nl), out);
        start = nl + 1;
      }
    } else {
      const n = buf.length;
      for (let i = 0; i < n; i++) {
        const c = buf.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        const line = buf.slice(start, i);
        if (c === 13) {
          if (i + 1 < n) {
            if (buf.charCodeAt(i + 1) === 10) i++;
          } else {
            this.sawCR = true;
          }
        }
        start = i + 1;
        this.line(line, out);
      }
    }
    this.buf = start === 0 ? buf : buf.slice(start);
    return out;
  }

  /** End of input: a final event without its blank line is still delivered. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    const rest = this.buf + this.utf8.decode();
    this.buf = '';
    if (rest.length > 0) this.line(rest, out);
    this.line('', out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data.length > 0 || this.event !== undefined) {
        const ev: SseEvent = { data: this.data.join('\n') };
        if (this.event !== undefined) ev.event = this.event;
        if (this.id !== undefined) ev.id = this.id;
        out.push(ev);
      }
      this.event = undefined;
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        this.id = value;
        break;
      default:
        break;
    }
  }
}

/** Serialise one event. `data` that is not a string is JSON-encoded. */
export function encodeSse(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  const head = event === undefined ? '' : `event: ${event}\n`;
  if (payload.indexOf('\n') === -1) return `${head}data: ${payload}\n\n`;
  return `${head}${payload
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n')}\n\n`;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;
