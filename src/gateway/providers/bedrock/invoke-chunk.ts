import type { SseEvent } from '../../upstream/sse.js';

/** InvokeModelWithResponseStream: each `chunk` event carries one Messages stream event, base64 in `bytes`. */
export function unwrapInvokeChunk(ev: SseEvent): SseEvent[] {
  if (ev.event !== 'chunk') return [];
  const bytes = (JSON.parse(ev.data) as { bytes?: string }).bytes;
  if (typeof bytes !== 'string') return [];
  const data = Buffer.from(bytes, 'base64').toString('utf8');
  const type = (JSON.parse(data) as { type?: unknown }).type;
  return [{ event: typeof type === 'string' ? type : undefined, data }];
}
