import type { Dispatcher } from 'undici';
import { poolClass, poolRequest, type Pool } from './undici-pool.js';
import type { ClientSignal } from '../client-signal.js';

/**
 * One keep-alive undici Pool per upstream origin, without a connection cap. Timeouts are per request: `headersTimeout`
 * bounds the wait for response headers, `bodyTimeout` the idle time between body chunks (so a
 * stalled stream fails), and the pool's connect timeout bounds connection setup.
 */
export interface UpstreamCall {
  url: URL;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Parts (an array) go one after the other, with their total as the content-length. */
  body?: string | Buffer | readonly Buffer[];
  signal?: ClientSignal;
  timeoutMs: number;
}

export interface Upstream {
  request(call: UpstreamCall): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

export function createUpstream(opts: { connectTimeoutMs?: number } = {}): Upstream {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let p = pools.get(origin);
    if (!p) {
      const Pool = poolClass();
      p = new Pool(origin, {
        // No cap per origin: a request holds its own connection for as long as its client reads,
        // so any cap below the concurrency the gateway serves lets slow clients starve the rest.
        connections: null,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
      });
      pools.set(origin, p);
    }
    return p;
  };
  return {
    request(call) {
      const pool = poolFor(call.url.origin);
      const { body } = call;
      const parts = typeof body === 'object' && !Buffer.isBuffer(body) ? body : undefined;
      return poolRequest(pool, {
        path: call.url.pathname + call.url.search,
        method: call.method ?? 'POST',
        // undici writes an iterable body part by part; the length it announces is the parts' sum.
        headers: parts ? { ...call.headers, 'content-length': String(byteLength(parts)) } : call.headers,
        body: parts ? (parts as unknown as Buffer) : (body as string | Buffer | undefined),
        // undici takes any signal with addEventListener/removeEventListener (its types say AbortSignal).
        signal: call.signal as AbortSignal | undefined,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
      });
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.allSettled(all.map((p) => p.close()));
    },
  };
}

function byteLength(parts: readonly Buffer[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** Join a provider base URL (with its version path) and an endpoint path. */
export function joinUrl(apiBase: string, path: string): URL {
  return new URL(apiBase.replace(/\/+$/, '') + path);
}
