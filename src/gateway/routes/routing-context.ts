import type { Deployment, LitellmConfig } from '../../config/types.js';
import type { RequestTraits } from '../request-traits.js';
import type { Dispatched } from '../router/dispatch.js';
import { planRouting, type Routing } from '../router/routing.js';
import { sessionOf } from '../router/session-key.js';
import { catalogContextWindow } from '../usage/pricing.js';
import type { RequestContext } from './context.js';

/** The request's routing (strategy, session affinity), with the gateway's live figures and prices. */
export function routingFor(
  ctx: RequestContext,
  config: LitellmConfig,
  alias: string,
  body: Record<string, unknown>,
  needs: { traits: RequestTraits; promptTokens: () => number },
): Promise<Routing> {
  const pricer = ctx.state.usage?.pricer;
  const checks = config.router.preCallChecks !== false;
  return planRouting({
    capability: checks
      ? // Not a spread: NO_SPREAD_NOTE in router/dispatch.ts.
        {
          traits: needs.traits,
          promptTokens: needs.promptTokens,
          bodyBytes: ctx.body.length,
          catalogWindow: catalogContextWindow,
        }
      : undefined,
    config,
    alias,
    stats: ctx.state.live,
    affinity: ctx.state.affinity,
    session: sessionOf(ctx.req.headers, body),
    priceOf: (d: Deployment) => {
      const p = pricer?.perToken(d);
      const input = d.inputCostPerToken ?? p?.input ?? undefined;
      const output = d.outputCostPerToken ?? p?.output ?? undefined;
      return input === undefined || output === undefined ? undefined : input + output;
    },
  });
}

/** At the commit point: what affinity did goes to the log line; the response id joins the session. */
export function routed(ctx: RequestContext, routing: Routing, result: Dispatched): void {
  ctx.info.affinity = routing.outcome;
  const id =
    result.kind === 'json'
      ? result.response.id
      : (result.reader.headEvents.find((e) => e.type === 'start') as { id?: string } | undefined)?.id;
  routing.rememberResponse(id);
}

/** When the response has ended: the deployment's in-flight count goes down, its tokens count. */
export function released(ctx: RequestContext, result: Dispatched): void {
  const u = ctx.info.usage;
  result.release(u ? u.inputTokens + u.outputTokens : 0);
  if (u?.cacheReadTokens && ctx.info.alias)
    ctx.state.live.addCacheRead(ctx.info.alias, result.deployment.id, u.cacheReadTokens);
}
