import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

/**
 * What a client costs the server before its request is routed: a declared size over the limit is
 * answered without reading the body, a stalled or dripping body and an idle connection are shed on
 * bounded timers, and each of these answers is in the route's dialect.
 */

let up: FakeUpstream;
let gw: Gateway;
let port: number;

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-provider' }], {
    default: [{ provider: 'p', model: 'm' }],
  });
  loaded.config.maxBodyBytes = 64 * 1024;
  gw = await startGateway(loaded, {
    log: silentLogger(),
    stateDir: null,
    serverTimeouts: { connectionIdleMs: 400, bodyIdleMs: 300, bodyTotalMs: 900 },
  });
  port = gw.server.port;
});
afterAll(async () => {
  await gw.stop(100);
  await up.close();
});
beforeEach(() => {
  up.requests.length = 0;
});

/** A raw socket: what it received, and whether/when the server closed it (bounded wait). */
function open(): { socket: Socket; received: () => string; closed: Promise<boolean> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (c) => (data += c.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 8_000);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
  return { socket, received: () => data, closed };
}

const head = (path: string, length: number): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

const bodyOf = (raw: string): any => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

describe('request bodies', () => {
  it('a Content-Length over max_body_bytes is answered 413 before the body is read', async () => {
    const c = open();
    c.socket.write(head('/v1/chat/completions', 10 * 1024 * 1024 * 1024));
    // Nothing of the body is ever sent: the answer cannot wait for it.
    expect(await c.closed).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 413/);
    expect(bodyOf(c.received()).error.message).toMatch(/65536-byte limit/);
    expect(up.requests).toHaveLength(0);
  });

  it('a POST not declared JSON is answered 415 without its body being read', async () => {
    const c = open();
    c.socket.write(head('/v1/messages', 1000).replace('application/json', 'text/plain'));
    expect(await c.closed).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 415/);
    expect(bodyOf(c.received())).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('a body over max_body_bytes on /v1/messages gets an Anthropic-shaped 413', async () => {
    const big = JSON.stringify({
      model: 'default',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x'.repeat(70_000) }],
    });
    const declared = await rawRequest(`http://127.0.0.1:${port}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(declared.json).toEqual({
      type: 'error',
      error: { type: 'request_too_large', message: expect.stringMatching(/limit/) },
    });
    // Chunked (no Content-Length): the limit is found while reading, same answer.
    const chunked = await rawRequest(`http://127.0.0.1:${port}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(chunked.status).toBe(413);
    expect(chunked.json.type).toBe('error');
    expect(chunked.json.error.type).toBe('request_too_large');
    expect(up.requests).toHaveLength(0);
  });

  it('a body that stalls is answered 408 and its connection closed', async () => {
    const c = open();
    c.socket.write(head('/v1/messages', 200) + '{"model":');
    expect(await c.closed).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(bodyOf(c.received())).toMatchObject({ type: 'error', error: { type: 'timeout_error' } });
    expect(up.requests).toHaveLength(0);
  });

  it('a body drip-fed a byte at a time is cut at the total body limit', async () => {
    const c = open();
    c.socket.write(head('/v1/chat/completions', 1000));
    const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 100);
    try {
      expect(await c.closed).toBe(true);
    } finally {
      clearInterval(drip);
    }
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(bodyOf(c.received()).error.message).toMatch(/took longer than/);
    expect(up.requests).toHaveLength(0);
  });
});

describe('connections', () => {
  it('idle sockets are shed: a connection that never sends a request is closed', async () => {
    const c = open();
    expect(await c.closed).toBe(true);
    expect(c.received()).toBe('');
  });

  it('a connection serving a slow request is not cut by the idle timer', async () => {
    up.setBehaviours({ kind: 'slow', ms: 1_000 });
    try {
      const r = await rawRequest(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(r.status).toBe(200);
    } finally {
      up.setBehaviours({ kind: 'ok' });
    }
  });
});
