import type { Dispatcher } from 'undici';
import type { Deployment } from '../../config/types.js';
import {
  isContentEvent,
  type CanonicalEvent,
  type CanonicalRequest,
  type CanonicalResponse,
} from '../canonical.js';
import { toFailure, type UpstreamFailure } from '../errors.js';
import type { ProviderAdapter, WireCodec } from '../providers/types.js';
import { joinUrl, type Upstream } from '../upstream/http.js';
import { SseDecoder, type SseEvent } from '../upstream/sse.js';

/** How one deployment is asked: the client's own format passed through, or translated. */
export interface Plan {
  mode: 'passthrough' | 'translate';
  adapter: ProviderAdapter;
  codec: WireCodec;
  body: string | Buffer;
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
  next(): Promise<{ raw: Buffer; sse: SseEvent[]; events: CanonicalEvent[] } | null>;
  /** The SSE events read ahead (for passthrough filters that re-frame events). */
  headSse: SseEvent[];
  close(): void;
}

export interface AttemptInput {
  d: Deployment;
  plan: Plan;
  stream: boolean;
  upstream: Upstream;
  clientHeaders: Record<string, string | string[] | undefined>;
  signal: AbortSignal;
  timeoutMs: number;
}

function flatHeaders(h: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function attempt(i: AttemptInput): Promise<AttemptResult> {
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
  let res: Dispatcher.ResponseData;
  try {
    res = await i.upstream.request({
      url: joinUrl(d.provider.apiBase, plan.codec.pathFor?.(d, i.stream) ?? plan.codec.path),
      headers,
      body: plan.body,
      signal: i.signal,
      timeoutMs: i.timeoutMs,
    });
  } catch (e) {
    return { ok: false, failure: toFailure(e) };
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    let text = '';
    try {
      text = await res.body.text();
    } catch {
      // the error body is best effort
    }
    return { ok: false, failure: plan.adapter.classifyError(res.statusCode, text, flatHeaders(res.headers)) };
  }
  return i.stream ? readAhead(res, plan) : readJson(res, plan);
}

async function readJson(res: Dispatcher.ResponseData, plan: Plan): Promise<AttemptResult> {
  let raw: string;
  try {
    raw = await res.body.text();
  } catch (e) {
    return { ok: false, failure: toFailure(e) };
  }
  try {
    const parsed = JSON.parse(raw) as unknown;
    const response = plan.codec.parseResponse(parsed, plan.canonical);
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

async function readAhead(res: Dispatcher.ResponseData, plan: Plan): Promise<AttemptResult> {
  const it = res.body[Symbol.asyncIterator]();
  const decoder = new SseDecoder();
  const parse = plan.codec.streamParser(plan.canonical);
  const reader: StreamReader = {
    headRaw: [],
    headEvents: [],
    headSse: [],
    ended: false,
    async next() {
      const { value, done } = await it.next();
      const raw = done ? Buffer.alloc(0) : (value as Buffer);
      const sse = done ? decoder.end() : decoder.push(raw);
      if (done && sse.length === 0) return null;
      const events: CanonicalEvent[] = [];
      for (const ev of sse) for (const c of parse(ev)) events.push(c);
      return { raw, sse, events };
    },
    close() {
      res.body.destroy();
    },
  };
  try {
    let committed = false;
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
      for (const ev of step.events) {
        if (ev.type === 'error') {
          reader.close();
          return { ok: false, failure: { kind: 'server', status: ev.status ?? 502, message: ev.message } };
        }
        reader.headEvents.push(ev);
        if (ev.type === 'end') reader.ended = true;
        if (isContentEvent(ev)) committed = true;
      }
    }
    return { ok: true, kind: 'stream', status: res.statusCode, reader };
  } catch (e) {
    reader.close();
    return { ok: false, failure: toFailure(e) };
  }
}
