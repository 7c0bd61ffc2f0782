import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from './errors.js';

/**
 * Checks that keep web pages away from the gateway, run on the request head before any route.
 * A page the developer visits can send "simple" cross-origin requests (no preflight) and, through
 * DNS rebinding, reach 127.0.0.1 under its own name; so:
 * - `Host` must name this listener: `localhost`, `127.0.0.1`, `[::1]`, the listen address or the
 *   address the connection arrived on, each with the port it arrived on; or a `allowed_hosts` entry.
 * - An `Origin` must be the gateway's own or listed in `allowed_origins`; without one,
 *   `Sec-Fetch-Site: cross-site` is refused too (a cross-site `<img>`, `<script>` or navigation).
 * - A POST body must be declared `application/json` (the parsed essence, not a substring).
 */

export interface GuardSettings {
  /** The configured listen address (`litellm.host`). */
  listenHost: string;
  /** `litellm.allowed_hosts`: `name` (any port) or `name:port`. */
  allowedHosts?: readonly string[];
  /** `litellm.allowed_origins`: `scheme://host[:port]`, or `*` for any. */
  allowedOrigins?: readonly string[];
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `Host: name[:port]` → lower-cased name (IPv6 in brackets) and port; undefined when malformed. */
export function parseHostHeader(value: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: m[1].toLowerCase().replace(/\.$/, ''), port };
}

const bracketed = (address: string): string => {
  const a = address.replace(/^::ffff:(?=\d+\.)/, '').toLowerCase();
  return a.includes(':') ? `[${a}]` : a;
};

/** Whether the `Host` header names this listener (see the module comment). */
export function hostAllowed(req: IncomingMessage, s: GuardSettings): boolean {
  const raw = req.headers.host;
  if (!raw) return false;
  const host = parseHostHeader(raw);
  if (!host) return false;
  const port = host.port ?? 80;
  for (const entry of s.allowedHosts ?? []) {
    const allowed = parseHostHeader(entry);
    if (allowed && allowed.name === host.name && (allowed.port === undefined || allowed.port === port))
      return true;
  }
  if (port !== req.socket.localPort) return false;
  if (LOOPBACK_NAMES.has(host.name)) return true;
  if (host.name === bracketed(s.listenHost)) return true;
  const local = req.socket.localAddress;
  return local !== undefined && host.name === bracketed(local);
}

/** `scheme://host[:port]` lower-cased, default ports dropped; undefined for `null` or junk. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const u = new URL(value.trim());
    if (u.origin === 'null') return undefined;
    return u.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether the request's `Origin` (present) may use the gateway. */
export function originAllowed(req: IncomingMessage, origin: string, s: GuardSettings): boolean {
  const list = s.allowedOrigins ?? [];
  if (list.includes('*')) return true;
  const o = normalizeOrigin(origin);
  if (!o) return false;
  if (list.some((entry) => normalizeOrigin(entry) === o)) return true;
  // The gateway's own origin (a page it served itself), once Host has been checked.
  return o === `http://${(req.headers.host ?? '').toLowerCase()}`;
}

/** Host, Origin and Sec-Fetch-Site: a 403 naming what was refused and the setting that allows it. */
export function checkBrowserGuard(req: IncomingMessage, s: GuardSettings): GatewayError | undefined {
  if (!hostAllowed(req, s)) {
    const shown = (req.headers.host ?? '(none)').slice(0, 200);
    return new GatewayError(
      'permission_denied',
      `Host ${JSON.stringify(shown)} is not this gateway's address; use localhost or 127.0.0.1 with the port, or add the name to litellm.allowed_hosts`,
    );
  }
  const origin = header(req, 'origin');
  if (origin !== undefined) {
    if (originAllowed(req, origin, s)) return undefined;
    return new GatewayError(
      'permission_denied',
      `requests from web pages are refused (Origin ${JSON.stringify(origin.slice(0, 200))}); add the origin to litellm.allowed_origins to allow it`,
    );
  }
  if (header(req, 'sec-fetch-site')?.toLowerCase() === 'cross-site') {
    return new GatewayError('permission_denied', 'cross-site requests from web pages are refused');
  }
  return undefined;
}

/** A POST body must be declared JSON: the media type's essence is exactly `application/json`. */
export function checkJsonContentType(req: IncomingMessage, path: string): GatewayError | undefined {
  const ct = header(req, 'content-type');
  if (ct === undefined || ct.trim() === '') {
    return new GatewayError(
      'unsupported_media_type',
      `${path} needs a JSON body: send the header Content-Type: application/json`,
    );
  }
  const essence = ct.split(';', 1)[0].trim().toLowerCase();
  if (essence === 'application/json') return undefined;
  return new GatewayError(
    'unsupported_media_type',
    `${path} expects Content-Type: application/json, got ${JSON.stringify(ct.slice(0, 200))}`,
  );
}

/**
 * CORS for an allow-listed Origin: the headers every answer carries, and the preflight (`OPTIONS`)
 * answer a browser needs before it sends a JSON POST. Returns true when it answered the request.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, s: GuardSettings): boolean {
  const origin = header(req, 'origin');
  if (origin === undefined || !(s.allowedOrigins ?? []).length) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'x-request-id, x-agentbox-deployment, x-agentbox-cost');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers':
      header(req, 'access-control-request-headers') ?? 'authorization, content-type, x-api-key',
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
