import type { CanonicalEvent } from '../../src/gateway/canonical.js';
import { SseDecoder, type SseEvent } from '../../src/gateway/upstream/sse.js';

/** Decode SSE bytes (or text) fed to one decoder in pieces cut at the given offsets. */
export function decodeSse(input: Buffer | string, cuts: number[] = []): SseEvent[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const d = new SseDecoder();
  const out: SseEvent[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...d.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  out.push(...d.end());
  return out;
}

/** Run every event through one stream parser. */
export function parseAll(parse: (ev: SseEvent) => CanonicalEvent[], events: SseEvent[]): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (const ev of events) out.push(...parse(ev));
  return out;
}
