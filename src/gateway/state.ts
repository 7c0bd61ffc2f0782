import type { ConfigIssue, LoadedConfig } from '../config/types.js';
import { Reachability } from './reachability.js';
import { SessionAffinity } from './router/affinity.js';
import { Cooldowns } from './router/cooldown.js';
import { LiveStats } from './router/live-stats.js';
import type { UsageServices } from './usage/services.js';
import type { Tracing } from './observe/tracing.js';
import { RequestFeed } from './observe/request-feed.js';
import { ThreadStore } from './usage/threads.js';

export interface ReloadStatus {
  at: string;
  ok: boolean;
  errors: ConfigIssue[];
  /** Settings that changed in the file but only take effect after a restart (port, host). */
  needsRestart?: string[];
}

/**
 * What the daemon holds between requests: the current config as one swappable reference (each
 * request pins the snapshot it started with), cooldowns, and counters.
 */
export class GatewayState {
  loaded: LoadedConfig;
  generation = 1;
  lastReload: ReloadStatus;
  readonly cooldowns: Cooldowns;
  /** In-flight counts, latency and per-minute use per deployment: what the strategies pick by. */
  readonly live: LiveStats;
  /** Session → deployment, so a session's prompt cache keeps paying. */
  readonly affinity: SessionAffinity;
  readonly startedAt: number;
  /** `plan`: answered by an `auth: client` (subscription) deployment; `metered`: by any other. */
  readonly stats = { total: 0, failed: 0, inFlight: 0, plan: 0, metered: 0 };
  /** Pricing, ledger, budgets, rate limits, cache and metrics (absent: requests are not metered). */
  readonly usage?: UsageServices;
  /** OpenTelemetry tracing, when `litellm.otel` is configured (set at start). */
  tracing?: Tracing;
  /** Conversation threads of the MCP tools (in Redis when the usage store is). */
  readonly threads: ThreadStore;
  /** Whether each provider's host accepts connections (the `unreachable` state). */
  readonly reachability: Reachability;
  /** The last requests, for the live page and `agentbox litellm top`. */
  readonly feed = new RequestFeed();

  constructor(
    loaded: LoadedConfig,
    now: () => number = Date.now,
    opts: { cooldowns?: Cooldowns; usage?: UsageServices; reachability?: Reachability } = {},
  ) {
    this.loaded = loaded;
    this.cooldowns = opts.cooldowns ?? new Cooldowns(now);
    this.usage = opts.usage;
    this.threads = new ThreadStore(opts.usage?.store, now);
    this.reachability = opts.reachability ?? new Reachability();
    this.live = new LiveStats(now);
    this.affinity = new SessionAffinity({ now, shared: opts.usage?.store });
    this.startedAt = now();
    this.lastReload = { at: new Date(this.startedAt).toISOString(), ok: true, errors: [] };
  }

  /** Swap in a new config. Cooldowns of deployments that still exist are kept. */
  setConfig(loaded: LoadedConfig, needsRestart: string[] = []): void {
    this.loaded = loaded;
    this.generation++;
    const ids = new Set<string>();
    for (const a of loaded.config.models) for (const d of a.deployments) ids.add(d.id);
    this.cooldowns.retain(ids);
    this.live.retain(ids);
    this.lastReload = { at: new Date().toISOString(), ok: true, errors: [], needsRestart };
  }

  reloadFailed(errors: ConfigIssue[]): void {
    this.lastReload = { at: new Date().toISOString(), ok: false, errors };
  }
}
