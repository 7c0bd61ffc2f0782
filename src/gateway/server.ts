import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { App } from './app.js';
import { readBody, type BodyLimits } from './body.js';
import { ClientGone } from './client-signal.js';

export interface GatewayServer {
  server: Server;
  port: number;
  /** Stop accepting, let in-flight requests (streams included) finish up to `graceMs`, then cut. */
  close(graceMs: number): Promise<void>;
}

/** How long a connection or a request body may go without progress. */
export interface ServerTimeouts {
  /** A connection with no request in progress and no bytes for this long is closed. */
  connectionIdleMs: number;
  /** A request body with no bytes for this long is answered 408 and its connection closed. */
  bodyIdleMs: number;
  /** A request body not complete this long after its headers is answered 408 (drip-feeding). */
  bodyTotalMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  connectionIdleMs: 70_000,
  bodyIdleMs: 30_000,
  bodyTotalMs: 120_000,
};

/**
 * The node:http bridge: the request head screened before its body is read (a refused request or
 * a declared size over the limit is answered at once), a size- and time-limited body, an
 * abort signal that fires when the client goes away (so the upstream request is aborted too), idle
 * connections shed on a timer, and a graceful close.
 */
export async function startServer(opts: {
  app: App;
  host: string;
  port: number;
  maxBodyBytes: () => number;
  inFlight: () => number;
  timeouts?: Partial<ServerTimeouts>;
}): Promise<GatewayServer> {
  const t = { ...DEFAULT_SERVER_TIMEOUTS, ...opts.timeouts };
  const busy = new WeakMap<Socket, number>();
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
    (req, res) => {
      const socket = req.socket;
      busy.set(socket, (busy.get(socket) ?? 0) + 1);
      const gone = new ClientGone();
      res.once('close', () => {
        busy.set(socket, Math.max(0, (busy.get(socket) ?? 1) - 1));
        if (!res.writableFinished) gone.abort();
      });
      req.once('error', () => gone.abort());
      const run = (body: Parameters<App['handle']>[2]): void => {
        if (!Buffer.isBuffer(body)) res.setHeader('connection', 'close');
        void opts.app.handle(req, res, body, gone.signal).catch(() => {
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      };
      const refused = opts.app.screen(req);
      if (refused) return run(refused);
      const limits: BodyLimits = {
        maxBytes: opts.maxBodyBytes(),
        idleMs: t.bodyIdleMs,
        totalMs: t.bodyTotalMs,
      };
      readBody(req, limits, run);
    },
  );
  // Sockets idle past `connectionIdleMs` are closed unless a request on them is still being served
  // (a long completion may send nothing for minutes while the upstream thinks).
  server.timeout = t.connectionIdleMs;
  server.on('timeout', (socket: Socket) => {
    if (!busy.get(socket)) socket.destroy();
  });
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
