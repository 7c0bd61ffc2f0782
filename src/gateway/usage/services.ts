import { join } from 'node:path';
import type { LitellmConfig } from '../../config/types.js';
import type { Logger } from '../../shared/log.js';
import { Budgets, type BudgetView } from './budgets.js';
import { ResponseCache } from './cache.js';
import { Ledger } from './ledger.js';
import { readSpend } from './ledger-read.js';
import { MemoryStore } from './memory-store.js';
import { Metrics, type MetricsSources } from './metrics.js';
import { monthStart } from './periods.js';
import { createPricer, type Pricer } from './pricing.js';
import { RateLimiter } from './rate-limit.js';
import { redactUrl } from './redact-url.js';
import { SharedCooldowns } from './shared-cooldowns.js';
import type { SharedStore, StoreHealth } from './store.js';

export interface UsageServicesOptions {
  config: LitellmConfig;
  /** The state dir: the ledger is `<stateDir>/spend`. null: spend is priced but not recorded. */
  stateDir: string | null;
  log: Logger;
  /** What the metrics read when scraped. */
  sources: Omit<MetricsSources, 'cooldownsStarted'>;
  now?: () => number;
  /** How long start waits for Redis before serving on local limits, ms (default 1500). */
  redisWaitMs?: number;
}

export interface UsageHealth {
  spend: { today_usd: number; month_usd: number };
  budgets: BudgetView[];
  store: StoreHealth & { url?: string };
  ledger: { dir: string | null; error?: string };
}

/**
 * Pricing, spend ledger, budgets, rate limits, response cache, metrics and shared cooldowns:
 * built once per daemon (limits come from each request's config snapshot, so a reload changes
 * them live; `redis_url` is read at start).
 */
export class UsageServices {
  readonly pricer: Pricer = createPricer();
  readonly budgets: Budgets;
  readonly limiter: RateLimiter;
  readonly cache: ResponseCache;
  readonly cooldowns: SharedCooldowns;
  readonly metrics: Metrics;

  private constructor(
    readonly store: SharedStore,
    readonly ledger: Ledger | null,
    readonly ledgerDir: string | null,
    private readonly redisUrl: string | undefined,
    opts: UsageServicesOptions,
  ) {
    const now = opts.now ?? Date.now;
    this.budgets = new Budgets(store, now);
    this.limiter = new RateLimiter(store);
    this.cache = new ResponseCache(store, now);
    this.cooldowns = new SharedCooldowns(store, now);
    this.metrics = new Metrics({ ...opts.sources, cooldownsStarted: () => this.cooldowns.started });
  }

  static async create(opts: UsageServicesOptions): Promise<UsageServices> {
    const now = opts.now ?? Date.now;
    const { redisUrl } = opts.config;
    let store: SharedStore;
    if (redisUrl) {
      // ioredis is loaded only when a redis_url is configured.
      const { RedisStore } = await import('./redis-store.js');
      const redis = new RedisStore({ url: redisUrl, log: opts.log, now });
      if (!(await redis.ready(opts.redisWaitMs ?? 1500))) {
        opts.log.warn(
          { redis: redactUrl(redisUrl) },
          'redis not reachable at start; serving with per-process limits meanwhile',
        );
      }
      store = redis;
    } else store = new MemoryStore(now);

    const ledgerDir = opts.stateDir === null ? null : join(opts.stateDir, 'spend');
    const services = new UsageServices(
      store,
      ledgerDir ? new Ledger({ dir: ledgerDir, log: opts.log }) : null,
      ledgerDir,
      redisUrl,
      opts,
    );
    if (ledgerDir) {
      try {
        services.budgets.seed(await readSpend(ledgerDir, { since: monthStart(now()) }));
      } catch (e) {
        opts.log.warn(
          { error: (e as Error).message },
          'cannot read the spend ledger; budgets start from zero',
        );
      }
    }
    return services;
  }

  async health(config: LitellmConfig): Promise<UsageHealth> {
    const store: UsageHealth['store'] = this.store.health();
    if (this.redisUrl) store.url = redactUrl(this.redisUrl);
    const ledger: UsageHealth['ledger'] = { dir: this.ledgerDir };
    if (this.ledger?.lastError) ledger.error = this.ledger.lastError;
    return {
      spend: { today_usd: this.budgets.spentUsd('day'), month_usd: this.budgets.spentUsd('month') },
      budgets: await this.budgets.views(config),
      store,
      ledger,
    };
  }

  /** Write the ledger out and disconnect from Redis. */
  async close(): Promise<void> {
    await this.ledger?.close();
    await this.cache.close();
    await this.store.close();
  }
}
