import { request, type Dispatcher } from 'undici';
import { DaemonDownError, GatewayCallError, gatewayErrorFromBody } from './errors.js';

/** Where the daemon answers and the key to send it (master key or a virtual key), when one is needed. */
export interface DaemonTarget {
  url: string;
  key?: string;
}

/** Finds the daemon for one call; null when it is not running. */
export type Locate = () => Promise<DaemonTarget | null>;

export interface GatewayReply<T> {
  body: T;
  /** `x-agentbox-deployment`: the `<provider>/<model>` that served the request. */
  deployment?: string;
  /** `x-agentbox-cost` in USD, when the daemon knows the price. */
  costUsd?: number;
  /** `x-agentbox-attempts` and `x-agentbox-fallbacks`, when the daemon routed the request. */
  attempts?: number;
  fallbacks?: number;
}

/** Extra request headers of one call (e.g. `x-agentbox-tool`). */
export type CallHeaders = Record<string, string>;

export interface GatewayClient {
  post<T = unknown>(
    path: string,
    body: unknown,
    signal?: AbortSignal,
    headers?: CallHeaders,
  ): Promise<GatewayReply<T>>;
  get<T = unknown>(path: string, signal?: AbortSignal): Promise<GatewayReply<T>>;
}

export interface GatewayClientOptions {
  locate: Locate;
  /** An undici Agent owned by the caller; undici's global dispatcher otherwise. */
  dispatcher?: Dispatcher;
  /** Upper bound for one call (headers and body each); the daemon's router has its own timeouts. */
  timeoutMs?: number;
  /** Added to the "not running" message, e.g. how to let the shim start it. */
  downHint?: string;
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/**
 * The MCP tools' only way to the gateway: plain HTTP to the daemon's public API, with undici.
 * Each call locates the daemon afresh, so a daemon started or restarted while the shim runs is found.
 */
export function createGatewayClient(opts: GatewayClientOptions): GatewayClient {
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal?: AbortSignal,
    extra?: CallHeaders,
  ): Promise<GatewayReply<T>> {
    const target = await opts.locate();
    if (!target) throw new DaemonDownError(undefined, opts.downHint);
    const headers: Record<string, string> = { ...extra, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (target.key) headers.authorization = `Bearer ${target.key}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${target.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        dispatcher: opts.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (e) {
      throw connectError(e, target.url, opts.downHint);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      throw new GatewayCallError(
        502,
        'connection_lost',
        `the gateway connection broke: ${(e as Error).message}`,
      );
    }
    if (res.statusCode >= 400)
      throw gatewayErrorFromBody(res.statusCode, text, header(res.headers, 'retry-after'));
    let parsed: T;
    try {
      parsed = JSON.parse(text) as T;
    } catch {
      throw new GatewayCallError(
        502,
        'bad_response',
        `the gateway answered ${path} with something that is not JSON`,
      );
    }
    const cost = Number(header(res.headers, 'x-agentbox-cost'));
    return {
      body: parsed,
      deployment: header(res.headers, 'x-agentbox-deployment'),
      costUsd:
        header(res.headers, 'x-agentbox-cost') !== undefined && Number.isFinite(cost) ? cost : undefined,
      attempts: count(header(res.headers, 'x-agentbox-attempts')),
      fallbacks: count(header(res.headers, 'x-agentbox-fallbacks')),
    };
  }

  return {
    post: (path, body, signal, headers) => call('POST', path, body, signal, headers),
    get: (path, signal) => call('GET', path, undefined, signal),
  };
}

function count(v: string | undefined): number | undefined {
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function connectError(e: unknown, url: string, hint: string | undefined): Error {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  if (CONNECT_FAILURES.has(code)) return new DaemonDownError(url, hint);
  if (err?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
    return new GatewayCallError(499, 'cancelled', 'the call was cancelled');
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new GatewayCallError(504, 'timeout', 'the gateway did not answer in time');
  }
  return new GatewayCallError(
    502,
    'connection_failed',
    `could not reach the gateway at ${url}: ${err?.message ?? code}`,
  );
}
