import { connect } from 'node:net';
import type { LitellmConfig, ProviderConfig } from '../config/types.js';

/** How long one probe may take; a host that does not accept a TCP connection by then is unreachable. */
export const PROBE_TIMEOUT_MS = 1500;
/** Results older than this are probed again when someone asks for them (status, doctor). */
export const PROBE_MAX_AGE_MS = 30_000;

export interface ProbeResult {
  ok: boolean;
  /** The origin that was tried, e.g. `http://127.0.0.1:11434` (no path, no credentials). */
  origin: string;
  at: number;
  /** Why not, e.g. `connection refused`. */
  error?: string;
}

/** Opens a TCP connection and closes it: no request is sent, so nothing is billed and no key is used. */
export type Connector = (host: string, port: number, timeoutMs: number) => Promise<void>;

export const tcpConnect: Connector = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const done = (e?: Error): void => {
      socket.destroy();
      if (e) reject(e);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => done());
    socket.once('error', (e) => done(e));
  });

/** `scheme://host:port` of a provider's api_base, without credentials or path; undefined if unparsable. */
export function originOf(apiBase: string): { origin: string; host: string; port: number } | undefined {
  try {
    const u = new URL(apiBase);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { origin: `${u.protocol}//${u.host}`, host, port };
  } catch {
    return undefined;
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: `no answer within ${PROBE_TIMEOUT_MS / 1000} s`,
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * Whether each provider's host accepts connections: a bounded TCP connect per distinct origin, at
 * start, on reload and on demand. Feeds the `unreachable` deployment state; routing is unaffected.
 */
export class Reachability {
  private results = new Map<string, ProbeResult>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly connector: Connector = tcpConnect,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last result for a provider (undefined: not probed, or a key is missing so it is never used). */
  of(p: ProviderConfig): ProbeResult | undefined {
    const o = originOf(p.apiBase);
    return o ? this.results.get(o.origin) : undefined;
  }

  /** Probe every origin the config's deployments use (those with a key); concurrent calls share one run. */
  probe(config: LitellmConfig): Promise<void> {
    this.running ??= this.run(config).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Probe again when a result is missing or older than `maxAgeMs`. */
  async fresh(config: LitellmConfig, maxAgeMs = PROBE_MAX_AGE_MS): Promise<void> {
    const t = this.now();
    const stale = providersInUse(config).some((p) => {
      const r = this.of(p);
      return !r || t - r.at > maxAgeMs;
    });
    if (stale) await this.probe(config);
  }

  private async run(config: LitellmConfig): Promise<void> {
    const targets = new Map<string, { host: string; port: number }>();
    for (const p of providersInUse(config)) {
      const o = originOf(p.apiBase);
      if (o) targets.set(o.origin, o);
    }
    const next = new Map<string, ProbeResult>();
    await Promise.all(
      [...targets].map(async ([origin, { host, port }]) => {
        try {
          await this.connector(host, port, PROBE_TIMEOUT_MS);
          next.set(origin, { ok: true, origin, at: this.now() });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? '';
          const error = REASONS[code] ?? (e as Error).message;
          next.set(origin, { ok: false, origin, at: this.now(), error });
        }
      }),
    );
    this.results = next;
  }
}

/** Providers some deployment uses and could call (a provider without its key is never called). */
export function providersInUse(config: LitellmConfig): ProviderConfig[] {
  const seen = new Map<string, ProviderConfig>();
  for (const a of config.models)
    for (const d of a.deployments)
      if (d.provider.keyState !== 'missing') seen.set(d.provider.name, d.provider);
  return [...seen.values()];
}
