import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientGone } from '../../../src/gateway/client-signal.js';
import { toFailure } from '../../../src/gateway/errors.js';
import { poolClass, poolRequest } from '../../../src/gateway/upstream/undici-pool.js';

describe('ClientGone', () => {
  it('calls each listener once, in order, when aborted; removed and late listeners are not called', () => {
    const gone = new ClientGone();
    const calls: string[] = [];
    const b = (): void => void calls.push('b');
    gone.signal.addEventListener('abort', () => calls.push('a'));
    gone.signal.addEventListener('abort', b);
    gone.signal.addEventListener('abort', () => calls.push('c'), { once: true });
    gone.signal.removeEventListener('abort', b);
    expect(gone.signal.aborted).toBe(false);
    expect(gone.signal.reason).toBeUndefined();
    gone.abort();
    gone.abort();
    gone.signal.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['a', 'c']);
    expect(gone.signal.aborted).toBe(true);
    expect(gone.signal.reason).toBeInstanceOf(DOMException);
    expect((gone.signal.reason as DOMException).name).toBe('AbortError');
  });

  it('a throwing listener is reported as uncaught and the others still run', () => {
    const mod = new URL('../../../dist/gateway/client-signal.js', import.meta.url).href;
    const script = `
      const { ClientGone } = await import(${JSON.stringify(mod)});
      const seen = [];
      process.on('uncaughtException', (e) => { seen.push('uncaught: ' + e.message); });
      const gone = new ClientGone();
      gone.signal.addEventListener('abort', () => { throw new Error('boom'); });
      gone.signal.addEventListener('abort', () => seen.push('second'));
      gone.abort();
      setTimeout(() => console.log(JSON.stringify(seen)), 20);
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['second', 'uncaught: boom']);
  });

  it("the server's per-request signals share one hidden class (Node 20 gives each AbortSignal its own)", () => {
    // A signal with a hidden class of its own is allocated with it in the old generation and keeps
    // what its listeners reach from dying young; checked with V8's own test hook.
    const server = new URL('../../../dist/gateway/server.js', import.meta.url).href;
    const script = `
      import { request } from 'node:http';
      const { startServer } = await import(${JSON.stringify(server)});
      const seen = [];
      const app = {
        screen: () => undefined,
        async handle(req, res, body, signal) { seen.push(signal); res.end('ok'); },
      };
      const s = await startServer({ app, host: '127.0.0.1', port: 0, maxBodyBytes: () => 1e6, inFlight: () => 0 });
      const post = () => new Promise((resolve, reject) => {
        const r = request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
        r.on('error', reject);
        r.end('{}');
      });
      await post();
      await post();
      await s.close(100);
      console.log(JSON.stringify({ signals: seen.length, sameClass: %HaveSameMap(seen[0], seen[1]), aborted: seen.map((x) => x.aborted) }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out)).toEqual({ signals: 2, sameClass: true, aborted: [false, false] });
  });
});

describe('ClientGone as the signal of an undici request', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    // Never answers: only an abort ends the request.
    server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('aborts the upstream call; the failure is the client-closed 499', async () => {
    const Pool = poolClass();
    const pool = new Pool(origin, { connections: null, pipelining: 1 });
    const gone = new ClientGone();
    try {
      const pending = poolRequest(pool, {
        path: '/',
        method: 'POST',
        body: 'x',
        signal: gone.signal as AbortSignal,
        headersTimeout: 10_000,
      });
      setTimeout(() => gone.abort(), 50);
      const e = await pending.then(
        () => undefined,
        (err: unknown) => err,
      );
      // undici rejects with the signal's reason, as it does for an AbortSignal.
      expect((e as Error).name).toBe('AbortError');
      expect(toFailure(e)).toMatchObject({ status: 499, kind: 'network' });
    } finally {
      await pool.destroy();
    }
  });

  it('an already aborted signal refuses the call at once', async () => {
    const Pool = poolClass();
    const pool = new Pool(origin, { connections: null, pipelining: 1 });
    const gone = new ClientGone();
    gone.abort();
    try {
      const e = await poolRequest(pool, {
        path: '/',
        method: 'GET',
        signal: gone.signal as AbortSignal,
      }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(toFailure(e).status).toBe(499);
    } finally {
      await pool.destroy();
    }
  });
});
