import { performance } from 'node:perf_hooks';
import type { Usage } from '../canonical.js';
import type { RequestContext } from '../routes/context.js';
import type { SpendRecord } from './ledger-format.js';
import { aliasLabel, deploymentLabel } from './metric-labels.js';
import { usageOf } from './request-info.js';

const totalTokens = (u: Usage | undefined): number =>
  u ? u.inputTokens + u.outputTokens + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0) : 0;

/**
 * When a request has ended, however it ended: price it (if `jsonAnswer` has not), settle its
 * budget reservation and token estimates with the real numbers, append it to the ledger (when an
 * upstream answered or the cache did: one write(2) of one line, right before the last byte of the
 * response is sent) and update the metrics.
 */
export function finishRequest(ctx: RequestContext): void {
  const u = ctx.state.usage;
  if (!u) return;
  const notes = usageOf(ctx);
  const info = ctx.info;
  const end = performance.now();
  const hit = notes.cache === 'hit';
  const served = notes.servedBy;
  const usage = hit ? undefined : info.usage;
  if (notes.usd === undefined) notes.usd = served ? (usage ? u.pricer.cost(served, usage) : null) : 0;
  const usd = notes.usd;

  if (notes.reservation) u.budgets.settle(notes.reservation, usd);
  const key = notes.caller?.name ?? null;
  const alias = info.alias ?? null;
  u.budgets.record(key, alias, usd);

  const tokens = totalTokens(usage);
  for (const t of notes.tickets ?? []) u.limiter.settle(t, tokens);
  const dts = notes.deploymentTickets ?? [];
  let last = -1;
  if (served) for (let i = 0; i < dts.length; i++) if (dts[i].id === served.id) last = i;
  // Attempts that failed used no tokens upstream; the one that answered used `tokens`.
  dts.forEach((dt, i) => u.limiter.settle(dt.ticket, i === last ? tokens : 0));

  if (u.ledger && (served || hit)) {
    const rec: SpendRecord = {
      ts: Date.now(),
      id: ctx.requestId,
      key,
      alias,
      deployment: info.deployment ?? null,
      route: info.route,
      status: ctx.res.statusCode,
      stream: info.stream === true,
      input_tokens: usage?.inputTokens ?? 0,
      output_tokens: usage?.outputTokens ?? 0,
      cache_read_tokens: usage?.cacheReadTokens ?? 0,
      cache_write_tokens: usage?.cacheWriteTokens ?? 0,
      usd,
    };
    if (hit) rec.cached = true;
    if (notes.estimated) rec.estimated = true;
    if (served?.provider.auth === 'client') rec.billing = 'plan';
    u.ledger.append(rec);
  }

  const t0 = notes.t0 ?? end;
  const total = end - t0;
  // The gateway's own time: before dispatch, and from the upstream's answer to the first byte sent.
  let overhead = total;
  if (notes.tDispatch !== undefined) {
    overhead = notes.tDispatch - t0;
    if (notes.tCommitted !== undefined) overhead += (notes.tResponded ?? end) - notes.tCommitted;
  }
  // Labels only for admitted requests, and only from configured names (see metric-labels.ts).
  const config = ctx.state.loaded.config;
  const admitted = notes.tDispatch !== undefined || hit;
  u.metrics.observe({
    alias: admitted ? aliasLabel(config, alias) : '',
    deployment: admitted ? deploymentLabel(config, info.deployment) : '',
    status: ctx.res.statusCode,
    totalS: total / 1000,
    overheadS: Math.max(0, overhead) / 1000,
    fallbacks: info.fallbacks ?? 0,
    usage,
    usd,
    cache: notes.cache,
  });
}
