import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';

/**
 * undici's `Pool` and its `request()`, loaded from their own modules rather than the package
 * index: the index also loads fetch, WebSocket, EventSource, the caches, the mock agents and the
 * proxy agents, which the gateway never uses (about 8 MB of memory and 100 ms at every start).
 * They are the very objects the index exports (a unit test holds them to it), so undici behaves
 * exactly as documented; an undici that moves them fails at start, loudly.
 */
const require = createRequire(import.meta.url);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
export type Pool = UndiciPool;

const apiRequest = require('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  opts: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** `pool.request(opts)`, as undici's index defines it on every dispatcher. */
export function poolRequest(
  pool: Dispatcher,
  opts: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(pool, opts);
}
