import type { Dispatcher } from 'undici';
import type { Deployment } from '../../config/types.js';
import {
  isContentEvent,
  type CanonicalEvent,
  type CanonicalRequest,
  type CanonicalResponse,
} from '../canonical.js';
import { GatewayError, maskSecrets, toFailure, type UpstreamFailure } from '../errors.js';
import type {
  FrameDecoder,
  OutgoingBody,
  OutgoingCall,
  ProviderAdapter,
  WireCodec,
} from '../providers/types.js';
import { joinUrl, type Upstream } from '../upstream/http.js';
import { encodeSse, SseDecoder, type SseEvent } from '../upstream/sse.js';
import { scrubFailure } from '../secrets.js';
import type { ClientSignal } from '../client-signal.js';

/** How one deployment is asked: the client's own format passed through, or translated. */
export interface Plan {
  mode: 'passthrough' | 'translate';
  adapter: ProviderAdapter;
  codec: WireCodec;
  body: OutgoingBody;
  /** The canonical request, when translating (parsers may need its tool list). */
  canonical?: CanonicalRequest;
}

export type AttemptResult =
  | { ok: true; kind: 'json'; status: number; raw: string; parsed: unknown; response: CanonicalResponse }
  | { ok: true; kind: 'stream'; status: number; reader: StreamReader }
  | { ok: false; failure: UpstreamFailure };

/**
 * An upstream stream read ahead to its first content event. `head` holds what was read so far,
 * as raw chunks and as canonical events; `next()` continues from there.
 */
export interface StreamReader {
  headRaw: Buffer[];
  headEvents: CanonicalEvent[];
  /** True once the upstream's own end marker was seen. */
  ended: boolean;
  /**
   * The next chunk. Past the commit point a passthrough stream parses only the events its codec
   * taps (usage, stop, end, errors): the rest are in `unparsed`, forwarded as they are.
   */
  next(): Promise<{ raw: Buffer; sse: SseEvent[]; events: CanonicalEvent[]; unparsed: SseEvent[] } | null>;
  /** Canonical events of events passed over unparsed (a cut stream's output is counted from them). */
  parseLater(events: SseEvent[]): CanonicalEvent[];
  /** The SSE events read ahead (for passthrough filters that re-frame events). */
  headSse: SseEvent[];
  /**
   * Events of the read-ahead left unparsed: a passthrough's content after the first content event
   * of the same chunk (an upstream that sends a whole answer at once), like `unparsed` of `next()`.
   */
  headUnparsed: SseEvent[];
  close(): void;
}

export interface AttemptInput {
  d: Deployment;
  plan: Plan;
  stream: boolean;
  upstream: Upstream;
  clientHeaders: Record<string, string | string[] | undefined>;
  signal: ClientSignal;
  timeoutMs: number;
  /** W3C trace context for the upstream (the attempt's span), when tracing is on. */
  traceparent?: string;
  /** A JSON answer the content filter stopped becomes a content-policy failure (a fallback can serve it). */
  refuseFiltered?: boolean;
}

function flatHeaders(h: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** One request to one deployment; a failure never carries the deployment's key (upstreams echo it). */
export async function attempt(i: AttemptInput): Promise<AttemptResult> {
  const r = await attemptOnce(i);
  return r.ok ? r : { ok: false, failure: scrubFailure(r.failure, i.d.provider.apiKey) };
}

async function attemptOnce(i: AttemptInput): Promise<AttemptResult> {
  const { d, plan } = i;
  let headers: Record<string, string>;
  try {
    headers = {
      'content-type': 'application/json',
      accept: i.stream ? 'text/event-stream' : 'application/json',
      ...(await plan.adapter.headers(d, i.clientHeaders)),
    };
  } catch (e) {
    // Credentials that cannot be turned into a token (a refused or unreachable token endpoint).
    const f = toFailure(e);
    return { ok: false, failure: { ...f, kind: f.status >= 500 ? f.kind : 'client' } };
  }
  if (i.traceparent) headers.traceparent = i.traceparent;
  let res: Dispatcher.ResponseData;
  try {
    const path = plan.codec.pathFor ? plan.codec.pathFor(d, i.stream) : plan.codec.path;
    let call: OutgoingCall = { url: joinUrl(d.provider.apiBase, path), headers, body: plan.body };
    if (plan.adapter.finalize) {
      const pending = plan.adapter.finalize(call, d, i.clientHeaders);
      // Most adapters finish synchronously: no await (and no extra tick) for them.
      const done = pending instanceof Promise ? await pending : pending;
      if ('failure' in done) return { ok: false, failure: done.failure };
      call = done;
    }
    // Not a spread: NO_SPREAD_NOTE in router/dispatch.ts.
    res = await i.upstream.request({
      url: call.url,
      headers: call.headers,
      body: call.body,
      signal: i.signal,
      timeoutMs: i.timeoutMs,
    });
  } catch (e) {
    return { ok: false, failure: unreachable(toFailure(e), d) };
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    let text = '';
    try {
      text = await res.body.text();
    } catch {
      // the error body is best effort
    }
    const failure = plan.adapter.classifyError(res.statusCode, text, flatHeaders(res.headers));
    return { ok: false, failure: maskSecrets(failure, sentSecrets(d, i.clientHeaders)) };
  }
  return i.stream ? readAhead(res, plan, i.timeoutMs) : readJson(res, plan, i.refuseFiltered === true);
}

/**
 * A connection that failed names the host it went to (scheme, host and port only: never a path,
 * query or credentials, where a key could sit) and what to check.
 */
function unreachable(f: UpstreamFailure, d: Deployment): UpstreamFailure {
  if (f.kind !== 'network' || f.status === 499) return f;
  let origin: string;
  try {
    const u = new URL(d.provider.apiBase);
    origin = `${u.protocol}//${u.host}`;
  } catch {
    origin = 'its api_base';
  }
  return {
    ...f,
    message: `${origin}: ${f.message}; check that the server runs and that api_base of provider "${d.provider.name}" is right`,
  };
}

/** The credentials a call may have carried: the provider's and, for `auth: client`, the client's. */
function sentSecrets(d: Deployment, client: AttemptInput['clientHeaders']): Array<string | undefined> {
  const out = [d.provider.apiKey, d.provider.adToken];
  if (d.provider.auth === 'client') {
    const auth = client.authorization;
    out.push(String(Array.isArray(auth) ? auth[0] : (auth ?? '')).replace(/^bearer\s+/i, ''));
    const key = client['x-api-key'];
    out.push(Array.isArray(key) ? key[0] : key);
  }
  return out;
}

async function readJson(
  res: Dispatcher.ResponseData,
  plan: Plan,
  refuseFiltered: boolean,
): Promise<AttemptResult> {
  let raw: string;
  try {
    raw = await res.body.text();
  } catch (e) {
    return { ok: false, failure: toFailure(e) };
  }
  try {
    const parsed = JSON.parse(raw) as unknown;
    const response = plan.codec.parseResponse(parsed, plan.canonical);
    if (refuseFiltered && response.stopReason === 'content_filter')
      return {
        ok: false,
        failure: { kind: 'content_policy', status: 400, message: 'the content filter stopped the answer' },
      };
    return { ok: true, kind: 'json', status: res.statusCode, raw, parsed, response };
  } catch (e) {
    return {
      ok: false,
      failure: {
        kind: 'server',
        status: 502,
        message: `malformed response from upstream: ${(e as Error).message}`,
      },
    };
  }
}

async function readAhead(
  res: Dispatcher.ResponseData,
  plan: Plan,
  timeoutMs: number,
): Promise<AttemptResult> {
  const it = res.body[Symbol.asyncIterator]();
  const framed = plan.codec.frames?.();
  const decoder: FrameDecoder = framed ?? new SseDecoder();
  const parse = plan.codec.streamParser(plan.canonical);
  const tap = plan.mode === 'passthrough' ? plan.codec.passthroughTap?.bind(plan.codec) : undefined;
  let committed = false;
  // The events parsed while reading ahead: what a fresh parser must see before any later event.
  const parsedHead: SseEvent[] = [];
  let inHead = true;
  // Keep-alives (SSE comments, `event: ping`) reset undici's body timeout but carry nothing: the
  // stream times out after `timeoutMs` of waiting without content (before the commit point: a
  // fallback; after it: the dialect's error event). Only time spent waiting on the upstream counts,
  // not time the client takes to read what it was sent.
  let budget = timeoutMs;
  const idle = (): void => {
    res.body.destroy(
      new GatewayError(
        'timeout',
        `no content from the upstream for ${timeoutMs / 1000} s (keep-alives only)`,
      ),
    );
  };
  const reader: StreamReader = {
    headRaw: [],
    headEvents: [],
    headSse: [],
    headUnparsed: [],
    ended: false,
    async next() {
      const t0 = Date.now();
      const timer = setTimeout(idle, budget);
      let step: IteratorResult<unknown>;
      try {
        step = await it.next();
      } finally {
        clearTimeout(timer);
      }
      const { value, done } = step;
      let raw = done ? Buffer.alloc(0) : (value as Buffer);
      const sse = done ? decoder.end() : decoder.push(raw);
      if (done && sse.length === 0) return null;
      // Another framing reaches a passthrough client as the SSE it expects.
      if (framed) raw = Buffer.from(sse.map((ev) => encodeSse(ev.data, ev.event)).join(''));
      const events: CanonicalEvent[] = [];
      const unparsed: SseEvent[] = [];
      // The commit point is the first content event, also within a chunk: the rest of the chunk is
      // tapped like any later one.
      for (const ev of sse) {
        if (committed && tap && !tap(ev)) unparsed.push(ev);
        else {
          if (inHead) parsedHead.push(ev);
          for (const c of parse(ev)) {
            events.push(c);
            if (isContentEvent(c)) committed = true;
          }
        }
      }
      // Unparsed events are content (keep-alives are always tapped).
      budget = events.length > 0 || unparsed.length > 0 ? timeoutMs : Math.max(1, budget - (Date.now() - t0));
      return { raw, sse, events, unparsed };
    },
    parseLater(evs) {
      // A fresh parser, given what the head parsed first (the message and block starts the deltas
      // belong to); the head's unparsed events come in `evs`.
      const fresh = plan.codec.streamParser(plan.canonical);
      for (const ev of parsedHead) fresh(ev);
      return evs.flatMap((ev) => fresh(ev));
    },
    close() {
      res.body.destroy();
    },
  };
  try {
    while (!committed) {
      const step = await reader.next();
      if (step === null) {
        reader.close();
        return {
          ok: false,
          failure: { kind: 'server', status: 502, message: 'upstream stream ended before any content' },
        };
      }
      reader.headRaw.push(step.raw);
      for (const ev of step.sse) reader.headSse.push(ev);
      for (const ev of step.unparsed) reader.headUnparsed.push(ev);
      for (const ev of step.events) {
        if (ev.type === 'error') {
          reader.close();
          return { ok: false, failure: { kind: 'server', status: ev.status ?? 502, message: ev.message } };
        }
        reader.headEvents.push(ev);
        if (ev.type === 'end') reader.ended = true;
      }
    }
    // `next()` set `committed` at the first content event it parsed.
    inHead = false;
    return { ok: true, kind: 'stream', status: res.statusCode, reader };
  } catch (e) {
    reader.close();
    return { ok: false, failure: toFailure(e) };
  }
}
