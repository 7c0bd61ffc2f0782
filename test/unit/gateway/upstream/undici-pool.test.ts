import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { Dispatcher, Pool as IndexPool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolClass, poolRequest } from '../../../../src/gateway/upstream/undici-pool.js';

const Pool = poolClass();

describe('undici Pool loaded without the package index', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-seen': req.headers['x-test'] ?? '' });
        res.end(JSON.stringify({ method: req.method, path: req.url, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('is the Pool and the request() undici documents', () => {
    expect(Pool).toBe(IndexPool);
    // The index (loaded by this test) puts this module's function on every dispatcher as request().
    const viaIndex = (Dispatcher.prototype as unknown as { request: unknown }).request;
    expect(viaIndex).toBeTypeOf('function');
    expect(viaIndex).toBe(createRequire(import.meta.url)('undici/lib/api/api-request.js'));
  });

  it('sends a request and reads the answer through a Pool', async () => {
    const pool = new Pool(origin, { connections: null, pipelining: 1 });
    try {
      const res = await poolRequest(pool, {
        path: '/v1/x?y=1',
        method: 'POST',
        headers: { 'x-test': 'yes' },
        body: 'hello',
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-seen']).toBe('yes');
      expect(await res.body.json()).toEqual({ method: 'POST', path: '/v1/x?y=1', body: 'hello' });
    } finally {
      await pool.close();
    }
  });
});

describe('undici loaded by the first upstream call', () => {
  it('a start (createUpstream) does not load it; the first request does', async () => {
    // Its own process: this file's imports have loaded undici already.
    const http = new URL('../../../../dist/gateway/upstream/http.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      import { createServer } from 'node:http';
      const require = createRequire(import.meta.url);
      const pool = require.resolve('undici/lib/dispatcher/pool.js');
      const { createUpstream } = await import(${JSON.stringify(http)});
      const up = createUpstream();
      const before = pool in require.cache;
      const server = createServer((q, s) => s.end('ok'));
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const res = await up.request({ url: new URL('http://127.0.0.1:' + server.address().port + '/x'), method: 'GET', headers: {}, timeoutMs: 5000 });
      const text = await res.body.text();
      console.log(JSON.stringify({ before, after: pool in require.cache, text }));
      await up.close();
      server.close();
    `;
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../../../', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(JSON.parse(out)).toEqual({ before: false, after: true, text: 'ok' });
  });
});
