import type { Deployment } from '../../config/types.js';
import type { Cooldowns } from './cooldown.js';

/**
 * The chain entries a request passed over without trying them, each with why: no key, cooling
 * down (and after what failure, e.g. a plan's usage limit), or at its own rpm/tpm limit. For the
 * request's log line, so a switch to another deployment is never unexplained.
 */
export function skippedDeployments(chain: Deployment[], used: Deployment[], cooldowns: Cooldowns): string[] {
  const out: string[] = [];
  for (const d of chain) {
    if (used.includes(d)) continue;
    const why =
      d.provider.keyState === 'missing'
        ? 'key missing'
        : cooldowns.isCooling(d.id)
          ? `cooling down for ${Math.ceil(cooldowns.remainingMs(d.id) / 1000)} s${cooldowns.reason(d.id) ? ` after: ${cooldowns.reason(d.id)}` : ''}`
          : 'at its rpm/tpm limit';
    out.push(`${d.id}: ${why}`);
  }
  return out;
}
