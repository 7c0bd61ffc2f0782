import { performance } from 'node:perf_hooks';
import type { Deployment, LitellmConfig, VirtualKey } from '../../config/types.js';
import type { Usage } from '../canonical.js';
import type { DeploymentLimits } from '../router/dispatch.js';
import type { RequestContext } from '../routes/context.js';
import type { CachedResponse } from './cache.js';
import { assertMayUse } from './keys.js';
import { formatUsd, type Pricer } from './pricing.js';
import { estimateTokens, isMcpTool } from './rate-limit.js';
import { usageOf } from './request-info.js';

/** Output tokens assumed for estimates when a request sets no limit. */
const DEFAULT_OUTPUT = 4096;
/**
 * Output tokens a budget reservation holds per request, at most. Reserving a large `max_tokens`
 * in full would refuse a burst the budget can pay for many times over (agents ask for 4096–32000
 * and use a few hundred); the prompt is always reserved in full. So concurrent requests overspend
 * a budget by at most their output beyond this many tokens each, and sequential ones not at all.
 */
export const RESERVED_OUTPUT = 256;

export interface AdmitRequest {
  config: LitellmConfig;
  model: string;
  alias: string;
  chain: Deployment[];
  body: Record<string, unknown>;
  /** Look the response up in the cache (non-stream completions). */
  cacheable: boolean;
  /** Output the request may produce, when the route knows it (embeddings: 0). */
  maxOutput?: number;
}

export interface Admission {
  /** A cached response to send as it is: no upstream call, no budget. */
  cached?: CachedResponse;
  /** The chain's own rpm/tpm limits, for the router (undefined: none set). */
  limits?: DeploymentLimits;
}

/**
 * Before dispatch, in order: may this key use the model (403) → key, alias and global rate
 * limits (429) → the response cache → budgets (402, reserving the estimated cost). Whatever was
 * taken is settled by `finishRequest` when the request ends, however it ends.
 */
export async function admitRequest(ctx: RequestContext, a: AdmitRequest): Promise<Admission> {
  const u = ctx.state.usage;
  if (!u) return {};
  const notes = usageOf(ctx);
  const maxOutput = a.maxOutput ?? requestedOutput(a.body);
  const tokens = estimateTokens(ctx.body.length, maxOutput ?? DEFAULT_OUTPUT);
  const who = await admitCaller(ctx, a, tokens);

  if (a.cacheable && u.cache.enabled(a.config)) {
    notes.cacheKey = u.cache.key(ctx.info.route, ctx.body);
    const hit = await u.cache.get(a.config, notes.cacheKey);
    if (hit) {
      notes.cache = 'hit';
      notes.usd = 0;
      return { cached: hit };
    }
    notes.cache = 'miss';
  }

  notes.reservation = await u.budgets.reserve(a.config, who, () =>
    estimateUsd(u.pricer, a.chain, Math.ceil(ctx.body.length / 4), maxOutput),
  );
  notes.tDispatch = performance.now();
  if (!a.chain.some((d) => d.rpm || d.tpm)) return {};
  return {
    limits: {
      waitMs: (d) => u.limiter.deploymentWait(d, tokens),
      async acquire(d) {
        const r = await u.limiter.acquireDeployment(d, tokens);
        if (r.ticket) (notes.deploymentTickets ??= []).push({ id: d.id, ticket: r.ticket });
        return { ok: r.ok, waitMs: r.waitMs };
      },
    },
  };
}

/**
 * The part of admission every model route shares (completions, embeddings, count_tokens): may this
 * key use the model (403), then the key, alias and global rate limits (429) for `tokens`; what is
 * taken is settled when the request ends.
 */
export async function admitCaller(
  ctx: RequestContext,
  a: Pick<AdmitRequest, 'config' | 'model' | 'alias'>,
  tokens: number,
): Promise<{ key?: VirtualKey; alias: string }> {
  const notes = usageOf(ctx);
  const caller = notes.caller ?? { name: null };
  assertMayUse(caller, a.model, a.alias);
  // A model call an MCP tool makes also counts against that tool's token limits.
  const tool = ctx.req.headers['x-agentbox-tool'];
  const who = { key: caller.key, alias: a.alias, tool: isMcpTool(tool) ? tool : undefined };
  const ticket = await ctx.state.usage?.limiter.admit(a.config, who, tokens);
  if (ticket) (notes.tickets ??= []).push(ticket);
  return who;
}

/** The commit point: this deployment answers. */
export function committed(ctx: RequestContext, d: Deployment): void {
  const notes = usageOf(ctx);
  notes.servedBy = d;
  notes.tCommitted = performance.now();
}

/**
 * A non-stream answer about to be sent: price it, cache it, and return the headers that say so
 * (`x-agentbox-cost` only when the price is known, `x-agentbox-cache` only with a cache).
 */
export function jsonAnswer(
  ctx: RequestContext,
  text: string | Buffer,
  usage: Usage | undefined,
): Record<string, string> {
  const u = ctx.state.usage;
  const notes = usageOf(ctx);
  notes.tResponded = performance.now();
  const headers: Record<string, string> = {};
  if (!u) return headers;
  const d = notes.servedBy;
  notes.usd = d && usage ? u.pricer.cost(d, usage) : null;
  if (notes.usd !== null) headers['x-agentbox-cost'] = formatUsd(notes.usd);
  if (notes.cache) headers['x-agentbox-cache'] = notes.cache;
  if (notes.cacheKey && d)
    u.cache.set(ctx.state.loaded.config, notes.cacheKey, { body: text.toString(), deployment: d.id, usage });
  return headers;
}

/** A stream is about to start: the gateway's own work before the first byte ends here. */
export function responding(ctx: RequestContext): void {
  usageOf(ctx).tResponded = performance.now();
}

/** Headers of a response served from the cache. */
export function cachedAnswerHeaders(ctx: RequestContext): Record<string, string> {
  usageOf(ctx).tResponded = performance.now();
  return { 'x-agentbox-cost': '0', 'x-agentbox-cache': 'hit' };
}

/** `max_tokens` (Chat, Messages), `max_completion_tokens` (Chat) or `max_output_tokens` (Responses). */
function requestedOutput(body: Record<string, unknown>): number | undefined {
  for (const k of ['max_tokens', 'max_completion_tokens', 'max_output_tokens']) {
    const v = body[k];
    if (typeof v === 'number' && v >= 0) return v;
  }
  return undefined;
}

/** What the request reserves on the dearest deployment of its chain (prompt in full, output up to RESERVED_OUTPUT); null when none has a price. */
function estimateUsd(
  pricer: Pricer,
  chain: Deployment[],
  inputTokens: number,
  maxOutput: number | undefined,
): number | null {
  let best: number | null = null;
  for (const d of chain) {
    if (d.provider.keyState === 'missing') continue;
    const out = Math.min(
      maxOutput ?? d.maxTokens ?? DEFAULT_OUTPUT,
      d.maxTokens ?? Infinity,
      RESERVED_OUTPUT,
    );
    const usd = pricer.cost(d, { inputTokens, outputTokens: out });
    if (usd !== null && (best === null || usd > best)) best = usd;
  }
  return best;
}
