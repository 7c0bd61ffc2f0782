import type { Deployment, KeyState } from '../config/types.js';
import { aliasFigures, type RoutingFigures } from './router/figures.js';
import type { GatewayState } from './state.js';

export type DeploymentHealth =
  'ok' | 'cooling_down' | 'no_key' | 'unreachable' | 'auth_failed' | 'unsupported';

export interface DeploymentView extends RoutingFigures {
  alias: string;
  provider: string;
  model: string;
  api_base: string;
  key: KeyState;
  state: DeploymentHealth;
  /** plan: the client's own subscription (auth: client); metered: a configured key. */
  billing: 'plan' | 'metered';
  cooldown_remaining_s?: number;
  /** Why it is unreachable (e.g. `http://127.0.0.1:11434: connection refused`) or unsupported by this build. */
  reason?: string;
}

/** Every alias's chain with key and cooldown state: the one view /health, /model/info and the CLI share. */
export function deploymentViews(state: GatewayState): DeploymentView[] {
  const out: DeploymentView[] = [];
  const config = state.loaded.config;
  for (const a of config.models) {
    const figures = aliasFigures(config, a, state.live);
    for (const [i, d] of a.deployments.entries()) {
      const remaining = state.cooldowns.remainingMs(d.id);
      const view: DeploymentView = {
        alias: a.name,
        provider: d.provider.name,
        model: d.model,
        api_base: d.provider.apiBase,
        key: d.provider.keyState,
        state:
          configState(d) ??
          (state.cooldowns.isAuthFailed(d.id) ? 'auth_failed' : remaining > 0 ? 'cooling_down' : 'ok'),
        billing: d.provider.auth === 'client' ? 'plan' : 'metered',
        ...figures[i],
      };
      if (d.unsupported) view.reason = d.unsupported;
      const probe = view.state === 'no_key' || d.unsupported ? undefined : state.reachability.of(d.provider);
      if (probe && !probe.ok) {
        view.state = 'unreachable';
        view.reason = `${probe.origin}: ${probe.error ?? 'not answering'}`;
      }
      if (remaining > 0) view.cooldown_remaining_s = Math.ceil(remaining / 1000);
      out.push(view);
    }
  }
  return out;
}

/** What the config alone says of a deployment: it cannot be served (`unsupported`) or has no key. */
export function configState(d: Deployment): 'unsupported' | 'no_key' | undefined {
  if (d.unsupported) return 'unsupported';
  if (d.provider.keyState === 'missing') return 'no_key';
  return undefined;
}
