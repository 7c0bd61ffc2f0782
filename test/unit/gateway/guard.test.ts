import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  checkBrowserGuard,
  checkJsonContentType,
  hostAllowed,
  normalizeOrigin,
  parseHostHeader,
} from '../../../src/gateway/guard.js';

/** A request head as node:http hands it over: lower-cased headers and the socket it came in on. */
const head = (
  headers: Record<string, string>,
  local = { address: '127.0.0.1', port: 4000 },
): IncomingMessage =>
  ({ headers, method: 'POST', socket: { localAddress: local.address, localPort: local.port } }) as never;

describe('parseHostHeader', () => {
  it('reads names, IPv4 and bracketed IPv6 with an optional port', () => {
    expect(parseHostHeader('LocalHost:4000')).toEqual({ name: 'localhost', port: 4000 });
    expect(parseHostHeader('[::1]:4000')).toEqual({ name: '[::1]', port: 4000 });
    expect(parseHostHeader('gateway.internal')).toEqual({ name: 'gateway.internal', port: undefined });
  });
  it('refuses what is not a host: userinfo tricks, paths, bad ports', () => {
    for (const bad of ['evil.example@127.0.0.1:4000', '127.0.0.1:4000/x', 'a b', 'x:70000', ':4000', ''])
      expect(parseHostHeader(bad), bad).toBeUndefined();
  });
});

describe('hostAllowed', () => {
  const s = { listenHost: '127.0.0.1' };
  it('the loopback names, the listen address and the local address pass with the listening port', () => {
    for (const h of ['localhost:4000', '127.0.0.1:4000', '[::1]:4000'])
      expect(hostAllowed(head({ host: h }), s), h).toBe(true);
    const wild = { listenHost: '0.0.0.0' };
    expect(
      hostAllowed(head({ host: '192.168.1.5:4000' }, { address: '192.168.1.5', port: 4000 }), wild),
    ).toBe(true);
    expect(hostAllowed(head({ host: '[::1]:4000' }, { address: '::ffff:127.0.0.1', port: 4000 }), wild)).toBe(
      true,
    );
  });
  it('rebinding names, lookalikes and other ports are refused', () => {
    for (const h of [
      'evil.example:4000',
      '127.0.0.1.nip.io:4000',
      'localhost.evil.example:4000',
      'localhost:4001',
    ])
      expect(hostAllowed(head({ host: h }), s), h).toBe(false);
    expect(hostAllowed(head({}), s)).toBe(false);
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  const s = { listenHost: '127.0.0.1', allowedOrigins: ['http://LOCALHOST:5173/'] };
  it('normalizes origins (case, default port) and treats "null" as no origin at all', () => {
    expect(normalizeOrigin('HTTPS://Example.com:443')).toBe('https://example.com');
    expect(normalizeOrigin('null')).toBeUndefined();
  });
  it('a listed origin and the gateway’s own pass; others, and cross-site without an origin, get 403', () => {
    const host = '127.0.0.1:4000';
    expect(checkBrowserGuard(head({ host, origin: 'http://localhost:5173' }), s)).toBeUndefined();
    expect(checkBrowserGuard(head({ host, origin: `http://${host}` }), s)).toBeUndefined();
    expect(checkBrowserGuard(head({ host, origin: 'http://localhost:5174' }), s)?.status).toBe(403);
    expect(checkBrowserGuard(head({ host, 'sec-fetch-site': 'cross-site' }), s)?.status).toBe(403);
    expect(
      checkBrowserGuard(head({ host, origin: 'https://evil.example' }), { ...s, allowedOrigins: ['*'] }),
    ).toBeUndefined();
  });
});

describe('checkJsonContentType', () => {
  it('accepts the application/json essence only', () => {
    expect(
      checkJsonContentType(head({ 'content-type': 'application/json;charset=UTF-8' }), '/x'),
    ).toBeUndefined();
    for (const ct of [
      'text/plain; application/json',
      'application/json-seq',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=json',
    ])
      expect(checkJsonContentType(head({ 'content-type': ct }), '/x')?.status, ct).toBe(415);
    expect(checkJsonContentType(head({}), '/x')?.message).toMatch(
      /send the header Content-Type: application\/json/,
    );
  });
});
