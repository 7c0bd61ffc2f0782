import type { KeyState } from '../config/types.js';
import { aliasFigures, type RoutingFigures } from './router/figures.js';
import type { GatewayState } from './state.js';

export type DeploymentHealth = 'ok' | 'cooling_down' | 'no_key';

export interface DeploymentView extends RoutingFigures {
  alias: string;
  provider: string;
  model: string;
  api_base: string;
  key: KeyState;
  state: DeploymentHealth;
  cooldown_remaining_s?: number;
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
        state: d.provider.keyState === 'missing' ? 'no_key' : remaining > 0 ? 'cooling_down' : 'ok',
        ...figures[i],
      };
      if (remaining > 0) view.cooldown_remaining_s = Math.ceil(remaining / 1000);
      out.push(view);
    }
  }
  return out;
}
