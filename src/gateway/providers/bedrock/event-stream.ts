import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { SseEvent } from '../../upstream/sse.js';
import type { FrameDecoder } from '../types.js';

/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`) → events, decoded by Smithy's
 * codec: chunks split anywhere are buffered until a whole message is in (its length prefix says
 * when), which the codec then checks (CRCs) and decodes. An `event`
 * message becomes `{event: <:event-type>, data: <payload text>}`; an `exception` message (a
 * throttling or validation error after the headers were sent) becomes an `error` event whose data
 * is `{type: 'error', error: {type, message}}`, the shape Messages stream parsers read. A frame
 * with a bad checksum, or a stream that ends inside a message, throws: the stream fails.
 */
export function createEventStreamDecoder(map: (ev: SseEvent) => SseEvent[] = (ev) => [ev]): FrameDecoder {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let buf = Buffer.alloc(0);
  const decode = (frame: Buffer, out: SseEvent[]): void => {
    const m = codec.decode(frame);
    const h = (name: string): string | undefined => {
      const v = m.headers[name];
      return v && v.type === 'string' ? v.value : undefined;
    };
    const text = toUtf8(m.body);
    const kind = h(':message-type');
    if (kind === 'exception' || kind === 'error') {
      const type = h(':exception-type') ?? h(':error-code') ?? 'exception';
      let message = h(':error-message') ?? text;
      try {
        const j = JSON.parse(text) as { message?: unknown; Message?: unknown };
        message = String(j.message ?? j.Message ?? message);
      } catch {
        // the payload is the message itself
      }
      out.push({ event: 'error', data: JSON.stringify({ type: 'error', error: { type, message } }) });
    } else for (const ev of map({ event: h(':event-type'), data: text })) out.push(ev);
  };
  return {
    push(chunk) {
      buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
      const out: SseEvent[] = [];
      // Each message starts with its total length (big-endian uint32); the codec checks the rest.
      while (buf.length >= 4) {
        const total = buf.readUInt32BE(0);
        if (total < 16) throw new Error(`event-stream message length ${total} is too short`);
        if (buf.length < total) break;
        decode(buf.subarray(0, total), out);
        buf = buf.subarray(total);
      }
      return out;
    },
    end() {
      if (buf.length > 0) throw new Error(`event stream ended inside a message (${buf.length} bytes left)`);
      return [];
    },
  };
}

export { unwrapInvokeChunk } from './invoke-chunk.js';
