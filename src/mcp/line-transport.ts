import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MAX_JSON_DEPTH, withinDepth } from '../shared/json-depth.js';

/** Longest JSON-RPC line read (the gateway's default body limit): longer ones are answered with an error and skipped. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * MCP over stdio, one JSON-RPC message per line, where every line gets an answer: a line that is
 * not JSON gets a JSON-RPC parse error (-32700), one that is not a JSON-RPC message an invalid
 * request (-32600), and a line over `maxLineBytes` is skipped with an error, without buffering it,
 * and the server keeps reading. (The SDK's stdio transport drops the first two silently and closes
 * on the third.)
 */
export class LineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private parts: Buffer[] = [];
  private size = 0;
  /** Bytes of an over-long line being skipped; -1 when not skipping. */
  private skipping = -1;

  constructor(
    private readonly stdin: Readable,
    private readonly stdout: Writable,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStdinError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStdinError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.parts = [];
    this.size = 0;
    this.onclose?.();
  }

  private readonly onStdinError = (e: Error): void => this.onerror?.(e);

  private readonly onData = (chunk: Buffer | string): void => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = buf.indexOf(10); ; nl = buf.indexOf(10)) {
      const piece = nl === -1 ? buf : buf.subarray(0, nl);
      if (this.skipping >= 0) this.skipping += piece.length;
      else if (this.size + piece.length > this.maxLineBytes) {
        this.skipping = this.size + piece.length;
        this.parts = [];
        this.size = 0;
      } else if (piece.length > 0) {
        this.parts.push(piece);
        this.size += piece.length;
      }
      if (nl === -1) return;
      this.endLine();
      buf = buf.subarray(nl + 1);
    }
  };

  private endLine(): void {
    if (this.skipping >= 0) {
      const bytes = this.skipping;
      this.skipping = -1;
      this.reply(
        null,
        -32600,
        `Invalid Request: the line is ${bytes} bytes; at most ${this.maxLineBytes} are read`,
      );
      return;
    }
    const line = (this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size))
      .toString('utf8')
      .trim();
    this.parts = [];
    this.size = 0;
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      this.reply(null, -32700, `Parse error: ${(e as Error).message}`);
      return;
    }
    if (!withinDepth(value, MAX_JSON_DEPTH)) {
      this.reply(idOf(value), -32600, `Invalid Request: nested deeper than ${MAX_JSON_DEPTH} levels`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.reply(idOf(value), -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private reply(id: string | number | null, code: number, message: string): void {
    void this.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(text)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }
}

function idOf(v: unknown): string | number | null {
  const id = v !== null && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
