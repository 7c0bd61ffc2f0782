import type { Deployment, LitellmConfig, RateLimit, VirtualKey } from '../../config/types.js';
import { GatewayError } from '../errors.js';
import type { BucketSpec, SharedStore } from './store.js';
import { own } from '../../shared/own.js';

const MINUTE_MS = 60_000;

/** The MCP tools that have limits of their own (`rate_limits.tools`, `keys.<name>.tools`). */
export const MCP_TOOLS = ['complete', 'consensus'] as const;
export type McpToolName = (typeof MCP_TOOLS)[number];

export function isMcpTool(v: unknown): v is McpToolName {
  return typeof v === 'string' && (MCP_TOOLS as readonly string[]).includes(v);
}

/** What a request took from the buckets, so the token estimate can be replaced by the actual count. */
export interface Ticket {
  /** The tpm buckets charged with `estimate` tokens. */
  tpm: BucketSpec[];
  estimate: number;
}

interface Scope {
  what: string;
  prefix: string;
  limit: RateLimit;
}

/**
 * rpm/tpm limits as token buckets (a bucket holds a minute's worth and refills continuously), so
 * a refused request learns exactly when it would pass (`Retry-After`). Requests are counted when
 * admitted; tokens are charged with an estimate then corrected with the real usage. Key, alias and
 * global limits are checked together before dispatch (429); a deployment's own limits are checked
 * by the router before each attempt, which skips a deployment at its limit like a cooling one.
 */
export class RateLimiter {
  constructor(private readonly store: SharedStore) {}

  /** Count the request against its key, alias and global limits, or throw 429 `rate_limit`. */
  async admit(
    config: LitellmConfig,
    who: { key?: VirtualKey; alias: string; tool?: McpToolName },
    estimate: number,
  ): Promise<Ticket | null> {
    const scopes: Scope[] = [];
    // A model call made by an MCP tool: its tokens count against the tool's tpm (its rpm counts tool calls).
    if (who.tool)
      for (const s of toolScopes(config, who.key, who.tool))
        if (s.limit.tpm) scopes.push({ ...s, limit: { tpm: s.limit.tpm } });
    if (who.key && (who.key.rpm || who.key.tpm))
      scopes.push({ what: 'this key', prefix: `key:${who.key.name}`, limit: who.key });
    const alias = own(config.rateLimits?.aliases, who.alias);
    if (alias) scopes.push({ what: `alias "${who.alias}"`, prefix: `alias:${who.alias}`, limit: alias });
    const g = config.rateLimits;
    if (g && (g.rpm || g.tpm)) scopes.push({ what: 'the gateway', prefix: 'global', limit: g });
    if (scopes.length === 0) return null;
    const buckets = await this.takeOrRefuse(scopes, estimate, 'requests');
    return { tpm: buckets.filter((b) => b.key.endsWith(':tpm')), estimate };
  }

  /**
   * One call of an MCP tool: one request from its rpm buckets (global `rate_limits.tools` and the
   * key's `tools`), and a token of room in its tpm buckets (their model calls are charged as they go).
   */
  async admitToolCall(config: LitellmConfig, who: { key?: VirtualKey; tool: McpToolName }): Promise<void> {
    const scopes = toolScopes(config, who.key, who.tool);
    if (scopes.length > 0) await this.takeOrRefuse(scopes, 1, 'calls');
  }

  private async takeOrRefuse(scopes: Scope[], estimate: number, what: string): Promise<BucketSpec[]> {
    const { buckets, owners } = bucketsFor(scopes, estimate);
    const r = await this.store.take(buckets);
    if (!r.ok) {
      const b = buckets[r.blocked ?? 0];
      const s = owners[r.blocked ?? 0];
      const unit = b.key.endsWith(':rpm') ? what : 'tokens';
      throw new GatewayError(
        'rate_limit',
        `rate limit: ${s.what} may send ${b.capacity} ${unit} per minute; retry in ${retryAfterS(r.waitMs)} s`,
        { retryAfterS: retryAfterS(r.waitMs) },
      );
    }
    return buckets;
  }

  /** Milliseconds until the deployment is under its own limits (0: now); this process's view. */
  deploymentWait(d: Deployment, estimate: number): number {
    const buckets = deploymentBuckets(d, estimate);
    let wait = 0;
    for (const b of buckets) wait = Math.max(wait, this.store.peek(b));
    return wait;
  }

  /** Take one request (and the token estimate) from the deployment's own limits, right before an attempt. */
  async acquireDeployment(
    d: Deployment,
    estimate: number,
  ): Promise<{ ok: boolean; waitMs: number; ticket?: Ticket }> {
    const buckets = deploymentBuckets(d, estimate);
    if (buckets.length === 0) return { ok: true, waitMs: 0 };
    const r = await this.store.take(buckets);
    return r.ok
      ? { ok: true, waitMs: 0, ticket: { tpm: buckets.filter((b) => b.key.endsWith(':tpm')), estimate } }
      : r;
  }

  /** Replace the estimate by the tokens really used (0 for a request that never reached an upstream). */
  settle(t: Ticket, actual: number): void {
    const refund = t.estimate - actual;
    if (refund === 0) return;
    for (const b of t.tpm) this.store.adjust(b, refund);
  }
}

function toolScopes(config: LitellmConfig, key: VirtualKey | undefined, tool: McpToolName): Scope[] {
  const scopes: Scope[] = [];
  const own = key?.tools?.[tool];
  if (own && (own.rpm || own.tpm))
    scopes.push({
      what: `the ${tool} tool for this key`,
      prefix: `key:${key!.name}:tool:${tool}`,
      limit: own,
    });
  const all = config.rateLimits?.tools?.[tool];
  if (all && (all.rpm || all.tpm))
    scopes.push({ what: `the ${tool} tool`, prefix: `tool:${tool}`, limit: all });
  return scopes;
}

function deploymentBuckets(d: Deployment, estimate: number): BucketSpec[] {
  if (!d.rpm && !d.tpm) return [];
  return bucketsFor([{ what: d.id, prefix: `deployment:${d.id}`, limit: d }], estimate).buckets;
}

function bucketsFor(scopes: Scope[], estimate: number): { buckets: BucketSpec[]; owners: Scope[] } {
  const buckets: BucketSpec[] = [];
  const owners: Scope[] = [];
  for (const s of scopes) {
    if (s.limit.rpm) {
      buckets.push({
        key: `rl:${s.prefix}:rpm`,
        capacity: s.limit.rpm,
        perMs: s.limit.rpm / MINUTE_MS,
        cost: 1,
      });
      owners.push(s);
    }
    if (s.limit.tpm) {
      buckets.push({
        key: `rl:${s.prefix}:tpm`,
        capacity: s.limit.tpm,
        perMs: s.limit.tpm / MINUTE_MS,
        cost: estimate,
      });
      owners.push(s);
    }
  }
  return { buckets, owners };
}

export function retryAfterS(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/**
 * A token estimate before the upstream has answered: the body's bytes / 4 for the prompt (an
 * over-estimate for JSON, which is safe) plus the output the request allows.
 */
export function estimateTokens(bodyBytes: number, maxOutput: number): number {
  return Math.ceil(bodyBytes / 4) + maxOutput;
}
