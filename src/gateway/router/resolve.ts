import type { Deployment, LitellmConfig } from '../../config/types.js';
import { globToRegExp } from '../../config/rules.js';
import { GatewayError } from '../errors.js';

/**
 * Model name → ordered chain, pure. Order: exact alias; glob aliases in file order;
 * `provider/model` for any configured provider; else 404 listing the aliases.
 */
export function resolveModel(
  config: LitellmConfig,
  name: string,
  /** Which aliases the caller may see: the 404 lists only those (a key sees only its plan). */
  visible: (alias: string) => boolean = () => true,
): { alias: string; chain: Deployment[] } {
  for (const a of config.models)
    if (!a.glob && a.name === name) return { alias: a.name, chain: a.deployments };
  for (const a of config.models)
    if (a.glob && globMatch(a.name, name)) return { alias: a.name, chain: a.deployments };
  const slash = name.indexOf('/');
  if (slash > 0) {
    const provider = config.providers[name.slice(0, slash)];
    const model = name.slice(slash + 1);
    if (provider && model) {
      const d: Deployment = { id: `${provider.name}/${model}`, alias: name, index: 0, provider, model };
      return { alias: name, chain: [d] };
    }
  }
  throw modelNotFound(config, name, visible);
}

/** 404 listing only what the caller may use: its aliases, and the providers it may name directly. */
export function modelNotFound(
  config: LitellmConfig,
  name: string,
  visible: (alias: string) => boolean = () => true,
): GatewayError {
  const names = config.models.map((a) => a.name).filter(visible);
  const providers = Object.keys(config.providers).filter((p) => visible(`${p}/*`));
  return new GatewayError(
    'model_not_found',
    `model "${name}" is not configured; available: ${names.join(', ') || '(none)'}` +
      (providers.length ? `; or use provider/model with one of: ${providers.join(', ')}` : ''),
    { param: 'model' },
  );
}

const globCache = new Map<string, RegExp>();

export function globMatch(pattern: string, name: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    re = globToRegExp(pattern);
    globCache.set(pattern, re);
  }
  return re.test(name);
}
