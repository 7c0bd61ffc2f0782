import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LitellmConfig, VirtualKey } from '../../config/types.js';
import { GatewayError } from '../errors.js';
import { globMatch } from '../router/resolve.js';

/** Who is calling: a virtual key's name (`master` for the master key, null when nothing is required). */
export interface Caller {
  name: string | null;
  key?: VirtualKey;
}

const MASTER: Caller = { name: 'master' };
const ANONYMOUS: Caller = { name: null };

/** Virtual keys by the SHA-256 of their value, built once per config snapshot. */
const indexes = new WeakMap<Record<string, VirtualKey>, Map<string, VirtualKey>>();

function index(keys: Record<string, VirtualKey>): Map<string, VirtualKey> {
  let ix = indexes.get(keys);
  if (!ix) {
    ix = new Map();
    for (const k of Object.values(keys)) if (k.key && k.keyState === 'set') ix.set(digest(k.key), k);
    indexes.set(keys, ix);
  }
  return ix;
}

const digest = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Authenticate a request. Without `keys:` only `master_key` (when set) is checked; with `keys:`
 * only those keys and the master key are accepted. 401 otherwise. The key's value is never kept
 * or reported, only its name.
 */
export function identify(req: IncomingMessage, config: LitellmConfig): Caller {
  const presented = presentedKey(req);
  const { masterKey, keys } = config;
  if (!keys && !masterKey) return ANONYMOUS;
  if (presented === undefined) {
    throw new GatewayError(
      'auth_failed',
      'missing API key: send Authorization: Bearer <key>, x-api-key or x-goog-api-key',
    );
  }
  if (masterKey && sameSecret(presented, masterKey)) return MASTER;
  const k = keys ? index(keys).get(digest(presented)) : undefined;
  if (!k) throw new GatewayError('auth_failed', 'invalid API key');
  return { name: k.name, key: k };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function presentedKey(req: IncomingMessage): string | undefined {
  const auth = header(req, 'authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  return (
    header(req, 'x-api-key')?.trim() ||
    header(req, 'x-goog-api-key')?.trim() ||
    queryKey(req.url) ||
    undefined
  );
}

/** Gemini clients may send their key as `?key=` (the request log never carries the query string). */
function queryKey(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (q === -1 || !url!.includes('key=', q)) return undefined;
  return new URLSearchParams(url!.slice(q + 1)).get('key')?.trim() || undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether the caller may use a model: by the name asked for or the alias it resolved to (globs allowed). */
export function mayUse(caller: Caller, requested: string, alias: string): boolean {
  const allowed = caller.key?.models;
  if (!allowed) return true;
  return allowed.some((p) => globMatch(p, requested) || globMatch(p, alias));
}

/** 403 naming the model (never the key) when the caller may not use it. */
export function assertMayUse(caller: Caller, requested: string, alias: string): void {
  if (!mayUse(caller, requested, alias)) {
    throw new GatewayError('permission_denied', `model "${requested}" is not available with this API key`, {
      param: 'model',
    });
  }
}

/** The `/v1/models` filter for a caller. */
export function visibleTo(caller: Caller): (alias: string) => boolean {
  return (alias) => mayUse(caller, alias, alias);
}

/**
 * Whether the caller may see the gateway's internals (`/health`, `/metrics`, config path, reload
 * errors, `api_base`): anyone when no key is configured (loopback only), else the master key only.
 */
export function isOperator(caller: Caller | undefined, config: LitellmConfig): boolean {
  if (caller?.name === 'master') return true;
  return !config.keys && !config.masterKey;
}

/** The caller of a route that does not require a key: who presented a valid one, else anonymous. */
export function tryIdentify(req: IncomingMessage, config: LitellmConfig): Caller | undefined {
  try {
    return identify(req, config);
  } catch {
    return undefined;
  }
}
