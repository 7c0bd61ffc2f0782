import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from './app.js';
import { GatewayError } from './errors.js';

export interface GatewayServer {
  server: Server;
  port: number;
  /** Stop accepting, let in-flight requests (streams included) finish up to `graceMs`, then cut. */
  close(graceMs: number): Promise<void>;
}

/**
 * The node:http bridge: a size-limited body, an AbortSignal that fires when the client goes away
 * (so the upstream request is aborted too), and a graceful close.
 */
export async function startServer(opts: {
  app: App;
  host: string;
  port: number;
  maxBodyBytes: () => number;
  inFlight: () => number;
}): Promise<GatewayServer> {
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
    (req, res) => {
      const ac = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) ac.abort();
      });
      const limit = opts.maxBodyBytes();
      const declared = Number(req.headers['content-length'] ?? 0);
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = declared > limit;
      const finish = (): void => {
        if (tooLarge) {
          const err = new GatewayError('payload_too_large', `request body exceeds the ${limit}-byte limit`);
          res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
          res.end(
            JSON.stringify({
              error: { message: err.message, type: 'invalid_request_error', param: null, code: err.code },
            }),
          );
          return;
        }
        void opts.app
          .handle(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), ac.signal)
          .catch(() => {
            if (!res.headersSent) res.writeHead(500);
            res.end();
          });
      };
      if (tooLarge) {
        req.resume();
        req.once('end', finish);
        return;
      }
      req.on('data', (c: Buffer) => {
        if (tooLarge) return;
        size += c.length;
        if (size > limit) {
          tooLarge = true;
          chunks.length = 0;
          return;
        }
        chunks.push(c);
      });
      req.once('end', finish);
      req.once('error', () => ac.abort());
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    async close(graceMs) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (opts.inFlight() > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
