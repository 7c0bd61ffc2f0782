import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';

/**
 * undici's `Pool` and its `request()`, loaded from their own modules rather than the package
 * index: the index also loads fetch, WebSocket, EventSource, the caches, the mock agents and the
 * proxy agents, which the gateway never uses (about 8 MB of memory and 100 ms at every start).
 * They are the very objects the index exports (a unit test holds them to it), so undici behaves
 * exactly as documented. Their files are resolved at start (an undici that moves them fails at
 * start, loudly) and loaded by the first upstream call: about 15 ms and node:http2 and node:tls
 * that a start to ready need not wait for.
 */
const require = createRequire(import.meta.url);
const POOL = require.resolve('undici/lib/dispatcher/pool.js');
const API_REQUEST = require.resolve('undici/lib/api/api-request.js');

type ApiRequest = (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
let loaded: { Pool: typeof UndiciPool; apiRequest: ApiRequest } | undefined;

function undici(): { Pool: typeof UndiciPool; apiRequest: ApiRequest } {
  return (loaded ??= {
    Pool: require(POOL) as typeof UndiciPool,
    apiRequest: require(API_REQUEST) as ApiRequest,
  });
}

export type Pool = UndiciPool;

/** undici's `Pool` class, loaded on first use. */
export function poolClass(): typeof UndiciPool {
  return undici().Pool;
}

/** `pool.request(opts)`, as undici's index defines it on every dispatcher. */
export function poolRequest(
  pool: Dispatcher,
  opts: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return undici().apiRequest.call(pool, opts);
}
