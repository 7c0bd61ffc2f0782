import { deploymentViews } from '../deployments.js';
import { GatewayError } from '../errors.js';
import { sendJson, type RequestContext } from '../routes/context.js';
import { isOperator } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import type { FeedEntry } from './request-feed.js';

import { UI_PAGE as PAGE } from './ui/page.js';

/** GET /ui: the live page. It holds no data; its calls to /ui/state and /ui/events carry the key. */
export function handleUiPage(ctx: RequestContext): void {
  ctx.res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(PAGE)),
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'self'; img-src data:; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
    'x-request-id': ctx.requestId,
  });
  ctx.res.end(PAGE);
}

function requireOperator(ctx: RequestContext): void {
  if (!isOperator(usageOf(ctx).caller, ctx.state.loaded.config))
    throw new GatewayError('permission_denied', '/ui needs the master key when litellm.keys is configured');
}

/** Share of failed requests ended by each deployment among the recent ones. */
function errorRates(recent: FeedEntry[]): Map<string, number> {
  const seen = new Map<string, { n: number; failed: number }>();
  for (const e of recent) {
    if (!e.deployment) continue;
    const s = seen.get(e.deployment) ?? { n: 0, failed: 0 };
    s.n++;
    if (e.status >= 400) s.failed++;
    seen.set(e.deployment, s);
  }
  return new Map([...seen].map(([k, s]) => [k, Math.round((s.failed / s.n) * 1000) / 1000]));
}

/** GET /ui/state: deployments per alias, spend against budgets, the last reload, recent requests. */
export async function handleUiState(ctx: RequestContext): Promise<void> {
  requireOperator(ctx);
  const s = ctx.state;
  const recent = s.feed.recent();
  const rates = errorRates(recent);
  const deployments = deploymentViews(s).map((d) => ({
    alias: d.alias,
    deployment: `${d.provider}/${d.model}`,
    state: d.state,
    cooldown_remaining_s: d.cooldown_remaining_s ?? 0,
    in_flight: d.in_flight,
    ewma_ttft_ms: d.ewma_ttft_ms,
    error_rate: rates.get(`${d.provider}/${d.model}`) ?? null,
    ...(d.reason ? { reason: d.reason } : {}),
  }));
  const usage = s.usage ? await s.usage.health(s.loaded.config) : null;
  sendJson(ctx, 200, {
    at: new Date().toISOString(),
    uptime_s: Math.floor((Date.now() - s.startedAt) / 1000),
    requests: { total: s.stats.total, failed: s.stats.failed, in_flight: s.stats.inFlight },
    deployments,
    usage,
    last_reload: s.lastReload,
    recent,
  });
}

/** GET /ui/events: each finished request as an SSE `request` event, until the client goes away. */
export function handleUiEvents(ctx: RequestContext): Promise<void> {
  requireOperator(ctx);
  const { res } = ctx;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    'x-request-id': ctx.requestId,
  });
  res.write(': agentbox live feed\n\n');
  const unsubscribe = ctx.state.feed.subscribe((e) => {
    res.write(`event: request\ndata: ${JSON.stringify(e)}\n\n`);
  });
  // A comment now and then keeps proxies from closing an idle stream.
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(ping);
      unsubscribe();
      resolve();
    };
    res.once('close', done);
    ctx.signal?.addEventListener('abort', () => {
      res.end();
      done();
    });
  });
}
