import { performance } from 'node:perf_hooks';
import type { Deployment, LitellmConfig } from '../../config/types.js';
import type { SessionAffinity } from './affinity.js';
import { cannotServe, type CapabilityInput } from './capabilities.js';
import type { RoutingHooks } from './dispatch.js';
import type { LiveStats } from './live-stats.js';
import { responseSession } from './session-key.js';
import { orderChain, strategyFor, type PickContext } from './strategy.js';

/**
 * What session affinity did for one request (the log line's `affinity`): `none` (no session),
 * `new` (the session's first turn here), `stuck` (served by its deployment), `moved` (its
 * deployment could not serve; the one that did is now the session's).
 */
export type AffinityOutcome = 'none' | 'new' | 'stuck' | 'moved';

export interface RoutingInput {
  config: LitellmConfig;
  alias: string;
  stats: LiveStats;
  affinity: SessionAffinity;
  /** The request's session key (see session-key.ts), if it has one. */
  session?: string;
  priceOf?: PickContext['priceOf'];
  /** What the request needs, for pre-call checks; undefined: checks are off. */
  capability?: CapabilityInput;
  random?: () => number;
  now?: () => number;
}

export interface Routing extends RoutingHooks {
  /** What affinity did (final once the response is served), for the log line. */
  outcome: AffinityOutcome;
  /** The served response's id, so a request that continues it (previous_response_id) stays. */
  rememberResponse(responseId: string | undefined): void;
}

/**
 * One request's routing: the strategy orders each group, then a session's sticky deployment goes
 * first (cooling or skipped ones are dropped by the dispatcher, so a fallback moves the session);
 * each attempt feeds the live figures, and the deployment that served becomes the session's.
 */
export async function planRouting(i: RoutingInput): Promise<Routing> {
  const strategy = strategyFor(i.config, i.alias);
  const key = i.session ? `${i.alias}\u0000${i.session}` : undefined;
  const sticky = key ? await i.affinity.lookup(key) : undefined;
  const now = i.now ?? (() => performance.now());
  let served: Deployment | undefined;
  // `outcome` is a plain property, not a getter: V8 allocates an object literal's accessor pair in
  // the old generation, so a getter made per request held that request's closures (and all they
  // reach) past every young-generation collection.
  const routing: Routing = {
    outcome: key ? (sticky ? 'stuck' : 'new') : 'none',
    order(chain) {
      const ordered = orderChain(chain, strategy, { stats: i.stats, random: i.random, priceOf: i.priceOf });
      const at = sticky ? ordered.findIndex((d) => d.id === sticky) : -1;
      if (at > 0) ordered.unshift(...ordered.splice(at, 1));
      if (sticky && at < 0) routing.outcome = 'moved';
      return ordered;
    },
    cannotServe(d) {
      return i.capability ? cannotServe(d, i.capability) : undefined;
    },
    begin(d) {
      const release = i.stats.begin(d.id);
      const t0 = now();
      return {
        failed: release,
        served() {
          i.stats.observeLatency(d.id, now() - t0);
          served = d;
          if (key) {
            if (sticky && sticky !== d.id) routing.outcome = 'moved';
            i.affinity.remember(key, d.id);
          }
          return (tokens) => {
            i.stats.addTokens(d.id, tokens);
            release();
          };
        },
      };
    },
    rememberResponse(responseId) {
      if (!responseId || !served) return;
      i.affinity.remember(`${i.alias}\u0000${responseSession(responseId)}`, served.id);
    },
  };
  return routing;
}
