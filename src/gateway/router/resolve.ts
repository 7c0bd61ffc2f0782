import type { Deployment, LitellmConfig } from '../../config/types.js';
import { globToRegExp } from '../../config/rules.js';
import { GatewayError } from '../errors.js';
import { own } from '../../shared/own.js';

/** Longest model name accepted: names become log fields and cooldown keys. */
export const MAX_MODEL_NAME = 256;

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
  if (name.length > MAX_MODEL_NAME)
    throw new GatewayError('invalid_request', `model name is longer than ${MAX_MODEL_NAME} characters`, {
      param: 'model',
    });
  for (const a of config.models)
    if (!a.glob && a.name === name) return { alias: a.name, chain: a.deployments };
  for (const a of config.models)
    if (a.glob && globMatch(a.name, name)) return { alias: a.name, chain: a.deployments };
  const slash = name.indexOf('/');
  if (slash > 0) {
    const provider = own(config.providers, name.slice(0, slash));
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
    // Patterns come from configs (and `keys.*.models`); reloads may add new ones: stay bounded.
    if (globCache.size >= 1_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(name);
}
