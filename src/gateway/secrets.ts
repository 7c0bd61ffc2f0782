import type { LitellmConfig } from '../config/types.js';
import { scrubSecrets } from '../shared/scrub-secret.js';
import type { UpstreamFailure } from './errors.js';

const cache = new WeakMap<LitellmConfig, string[]>();

/** Every secret a config holds: provider keys, the master key, virtual keys. Cached per snapshot. */
export function configSecrets(config: LitellmConfig): string[] {
  let s = cache.get(config);
  if (!s) {
    s = [];
    for (const p of Object.values(config.providers)) if (p.apiKey) s.push(p.apiKey);
    if (config.masterKey) s.push(config.masterKey);
    for (const k of Object.values(config.keys ?? {})) if (k.key) s.push(k.key);
    cache.set(config, s);
  }
  return s;
}

/** A failed attempt with the deployment's key taken out of its message and body. */
export function scrubFailure(f: UpstreamFailure, secret: string | undefined): UpstreamFailure {
  if (!secret) return f;
  const message = scrubSecrets(f.message, [secret]);
  const body = f.body === undefined ? undefined : scrubSecrets(f.body, [secret]);
  if (message === f.message && body === f.body) return f;
  return { ...f, message, body };
}
