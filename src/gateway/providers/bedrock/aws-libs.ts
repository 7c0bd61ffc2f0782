import type { SseEvent } from '../../upstream/sse.js';
import type { FrameDecoder } from '../types.js';

/**
 * The AWS libraries (Smithy's signer and event-stream codec, the INI loader, ~17 MiB of RSS) are
 * loaded on the first Bedrock call, not at start: a gateway without Bedrock never pays for them.
 * `finalize` awaits `loadAwsLibs()` before any request is sent, so the stream decoder, which must be
 * made synchronously, is always there by the time a stream is read.
 */
type Libs = typeof import('./aws-impl.js');

let libs: Libs | undefined;
let loading: Promise<Libs> | undefined;

export async function loadAwsLibs(): Promise<Libs> {
  if (libs) return libs;
  loading ??= import('./aws-impl.js').then((m) => (libs = m));
  return loading;
}

/** An event-stream decoder; only after `loadAwsLibs()` has resolved once. */
export function eventStreamDecoder(map?: (ev: SseEvent) => SseEvent[]): FrameDecoder {
  if (!libs) throw new Error('the AWS event-stream codec is not loaded yet');
  return libs.createEventStreamDecoder(map);
}
