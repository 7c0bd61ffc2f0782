import type { LoadedConfig } from '../config/types.js';
import { createLogger, type Logger } from '../shared/log.js';
import { stateDir as defaultStateDir } from '../shared/paths.js';
import { createApp, type AppDeps } from './app.js';
import type { RequestContext } from './routes/context.js';
import { isLoopbackHost } from '../config/well-known.js';
import { startServer, type GatewayServer, type ServerTimeouts } from './server.js';
import { GatewayState } from './state.js';
import { createUpstream, type Upstream } from './upstream/http.js';
import { UsageServices } from './usage/services.js';
import { otelSettings } from './observe/otel-settings.js';
import { redactUrl } from './usage/redact-url.js';
import { unpricedBudgetIssues } from './usage/unpriced.js';

export interface Gateway {
  state: GatewayState;
  server: GatewayServer;
  url: string;
  log: Logger;
  upstream: Upstream;
  stop(graceMs?: number): Promise<void>;
}

export const DEFAULT_GRACE_MS = 10_000;

/** POST /mcp: the MCP tools over Streamable HTTP; the MCP SDK is loaded on the first call only. */
const handleMcp = async (ctx: RequestContext): Promise<void> =>
  (await import('../mcp/http-route.js')).handleMcpHttp({ ...ctx, limits: ctx.state.loaded.config.mcp });

/**
 * Start the gateway in this process for a loaded config: refuses a non-loopback host without a
 * master key, listens, and returns handles for reload and shutdown. Process-level concerns
 * (signals, state file, watching) belong to the caller.
 */
export async function startGateway(
  loaded: LoadedConfig,
  opts: {
    log?: Logger;
    upstream?: Upstream;
    extraRoutes?: AppDeps['extraRoutes'];
    /** Where the spend ledger lives (`<dir>/spend`); default the state dir of §2; null: not recorded. */
    stateDir?: string | null;
    /** The environment read for OTEL_EXPORTER_OTLP_* (default: process.env). */
    env?: NodeJS.ProcessEnv;
    /** Connection and request-body timers (defaults: DEFAULT_SERVER_TIMEOUTS). */
    serverTimeouts?: Partial<ServerTimeouts>;
  } = {},
): Promise<Gateway> {
  const { host, port, masterKey } = loaded.config;
  if (!isLoopbackHost(host) && !masterKey) {
    throw new Error(`refusing to listen on ${host}: a non-loopback host needs litellm.master_key`);
  }
  const log = opts.log ?? createLogger();
  const upstream = opts.upstream ?? createUpstream();
  const late: { state?: GatewayState } = {};
  const usage = await UsageServices.create({
    config: loaded.config,
    stateDir: opts.stateDir === undefined ? defaultStateDir() : opts.stateDir,
    log,
    sources: {
      inFlight: () => late.state?.stats.inFlight ?? 0,
      spansDropped: () => late.state?.tracing?.dropped() ?? 0,
      cooling: () =>
        late.state
          ? usage.cooldowns.coolingCount(
              new Set(late.state.loaded.config.models.flatMap((a) => a.deployments.map((d) => d.id))),
            )
          : 0,
    },
  });
  const state = new GatewayState(loaded, Date.now, { cooldowns: usage.cooldowns, usage });
  late.state = state;
  const otel = otelSettings(loaded.config, opts.env ?? process.env);
  if (otel) {
    state.tracing = await (await import('./observe/otel.js')).createOtelTracing(otel, log);
    log.info({ endpoint: redactUrl(otel.endpoint), protocol: otel.protocol }, 'tracing to OTLP');
  }
  const app = createApp({ state, upstream, log, extraRoutes: { '/mcp': handleMcp, ...opts.extraRoutes } });
  const server = await startServer({
    app,
    host,
    port,
    maxBodyBytes: () => state.loaded.config.maxBodyBytes,
    inFlight: () => state.stats.inFlight,
    timeouts: opts.serverTimeouts,
  }).catch(async (e: NodeJS.ErrnoException) => {
    await usage.close().catch(() => undefined);
    if (e.code === 'EADDRINUSE') throw new Error(`port ${port} on ${host} is already in use`);
    throw e;
  });
  // Bounded (a TCP connect per provider host): `status` is truthful from the first answer on.
  await state.reachability.probe(loaded.config);
  for (const w of unpricedBudgetIssues(loaded.config, usage.pricer))
    log.warn({ path: w.path, warning: w.message }, 'budget cannot be enforced');
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  log.info(
    { url, models: loaded.config.models.length, config: loaded.path ?? '(embedded defaults)' },
    'gateway listening',
  );
  return {
    state,
    server,
    url,
    log,
    upstream,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      await server.close(graceMs);
      await upstream.close();
      await state.tracing?.shutdown();
      await usage.close();
      log.info('gateway stopped');
    },
  };
}
