import type { Deployment } from '../../config/types.js';
import type { CanonicalEvent } from '../canonical.js';
import type { ClientDialect } from '../dialects/types.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { StreamReader } from '../router/attempt.js';
import type { Dispatched } from '../router/dispatch.js';
import type { SseEvent } from '../upstream/sse.js';
import { createEventMarker, markResponse, requestForFamily } from './canonical.js';
import { markResponseBody, requestBodyForFamily } from './opaque-fields.js';
import { createStreamMarker } from './stream-marker.js';

type Json = Record<string, unknown>;

/**
 * The family whose opaque reasoning a deployment issues and accepts: the adapter's word for it
 * (Claude on Bedrock and Vertex: `anthropic`), else the provider type. Keys and accounts of one
 * family are not told apart.
 */
export function reasoningFamily(adapter: ProviderAdapter, d: Deployment): string {
  return adapter.reasoningFamily?.(d) ?? adapter.type;
}

export { requestForFamily };

/** A passthrough request body as a deployment of `family` may receive it (copy-on-write). */
export function passthroughFor(body: Json, dialect: ClientDialect, family: string): Json {
  return dialect.opaque ? requestBodyForFamily(body, dialect.opaque, family) : body;
}

/**
 * Marks the opaque reasoning of an answer with the family that produced it, before the client
 * sees it: the canonical answer or events when translated, the body or the stream bytes when
 * passed through. Mutates and returns `answer`.
 */
export function markAnswer(answer: Dispatched, dialect: ClientDialect, family: string): Dispatched {
  if (answer.kind === 'json') {
    if (answer.mode === 'translate') markResponse(answer.response, family);
    else if (
      dialect.opaque &&
      isJson(answer.parsed) &&
      markResponseBody(answer.parsed, dialect.opaque, family)
    )
      answer.raw = JSON.stringify(answer.parsed);
    return answer;
  }
  if (answer.mode === 'translate') markEvents(answer.reader, createEventMarker(family));
  else if (dialect.opaque) markBytes(answer.reader, dialect.opaque.streamKeys, family);
  return answer;
}

function markEvents(reader: StreamReader, mark: (ev: CanonicalEvent) => CanonicalEvent[]): void {
  reader.headEvents = reader.headEvents.flatMap(mark);
  const next = reader.next.bind(reader);
  reader.next = async () => {
    const step = await next();
    return step && { ...step, events: step.events.flatMap(mark) };
  };
}

function markBytes(reader: StreamReader, keys: readonly string[], family: string): void {
  const bytes = createStreamMarker(keys, family);
  const sse = (events: SseEvent[]): SseEvent[] =>
    events.map((ev) => {
      const data = bytes.text(ev.data);
      return data === ev.data ? ev : { ...ev, data };
    });
  reader.headRaw = reader.headRaw.map((c) => bytes.push(c));
  reader.headSse = sse(reader.headSse);
  const next = reader.next.bind(reader);
  let flushed = false;
  reader.next = async () => {
    const step = await next();
    if (step !== null) return { ...step, raw: bytes.push(step.raw), sse: sse(step.sse) };
    if (flushed) return null;
    flushed = true;
    const tail = bytes.flush();
    return tail.length > 0 ? { raw: tail, sse: [], events: [], unparsed: [] } : null;
  };
}

function isJson(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
