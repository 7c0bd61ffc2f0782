import type { NormalizeContext } from './providers.js';
import { missingSuffix } from './providers.js';
import { formatPath } from './format-issues.js';
import type { ConfigIssue } from './types.js';
import { isLoopbackHost } from './well-known.js';
import { isReservedName } from '../shared/own.js';

/**
 * Rules across sections that the schema cannot express. They read the section as parsed (before
 * the schema), defensively, so they run even when the schema found problems elsewhere and every
 * problem in the file is reported at once.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

export function crossCheck(
  raw: unknown,
  ctx: NormalizeContext,
): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  if (!isObj(raw)) return { errors, warnings };
  const providers = isObj(raw.providers) ? raw.providers : {};
  const models = isObj(raw.models) ? raw.models : {};
  errors.push(...reservedNames(raw));

  for (const [alias, chain] of Object.entries(models)) {
    if (!Array.isArray(chain)) continue;
    chain.forEach((entry, i) => {
      const provider = isObj(entry) ? str(entry.provider) : undefined;
      if (provider && !Object.hasOwn(providers, provider)) {
        errors.push({
          path: formatPath(['litellm', 'models', alias, i, 'provider']),
          message: `unknown provider "${provider}"`,
        });
      }
    });
  }

  const masterKey = str(raw.master_key);
  const host = str(raw.host) ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !masterKey) {
    errors.push({
      path: 'litellm.host',
      message: `"${host}" is not a loopback address; set master_key to listen on it${missingSuffix(ctx, 'litellm.master_key')}`,
    });
  } else if (raw.master_key !== undefined && !masterKey) {
    warnings.push({
      path: 'litellm.master_key',
      message: `empty${missingSuffix(ctx, 'litellm.master_key')}; requests are not authenticated`,
    });
  }

  const seen = new Map<string, string>();
  const keys = isObj(raw.keys) ? raw.keys : {};
  for (const [name, vk] of Object.entries(keys)) {
    const path = formatPath(['litellm', 'keys', name, 'key']);
    const value = isObj(vk) ? str(vk.key) : undefined;
    if (!value) continue;
    const first = seen.get(value);
    if (first) errors.push({ path, message: `same value as ${first}` });
    else if (masterKey && value === masterKey)
      errors.push({ path, message: 'same value as litellm.master_key' });
    else seen.set(value, path);
  }

  const knows = aliasMatcher(Object.keys(models), Object.keys(providers));
  for (const [name, vk] of Object.entries(keys)) {
    const list = isObj(vk) && Array.isArray(vk.models) ? vk.models : [];
    list.forEach((m, i) => {
      if (typeof m === 'string' && !knows(m)) {
        warnings.push({
          path: formatPath(['litellm', 'keys', name, 'models', i]),
          message: `no alias matches "${m}"`,
        });
      }
    });
  }
  const routes = isObj(raw.routes) ? raw.routes : {};
  for (const [trait, target] of Object.entries(routes))
    if (typeof target === 'string' && trait !== 'long_context_tokens' && !knows(target))
      errors.push({
        path: formatPath(['litellm', 'routes', trait]),
        message: `no alias matches "${target}"`,
      });
  for (const section of ['budgets', 'rate_limits']) {
    const sec = raw[section];
    const perAlias = isObj(sec) && isObj(sec.aliases) ? sec.aliases : {};
    for (const name of Object.keys(perAlias)) {
      if (!knows(name)) {
        warnings.push({
          path: formatPath(['litellm', section, 'aliases', name]),
          message: `no alias matches "${name}"`,
        });
      }
    }
  }
  const labels = isObj(raw.model_labels) ? raw.model_labels : {};
  for (const name of Object.keys(labels)) {
    if (!Object.hasOwn(models, name)) {
      errors.push({
        path: formatPath(['litellm', 'model_labels', name]),
        message: `no alias named "${name}"; labels name aliases of litellm.models`,
      });
    }
  }
  return { errors, warnings };
}

/** `__proto__` as a provider, alias or key name would replace the prototype of the map it names. */
function reservedNames(raw: Obj): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const sections: Array<[string[], unknown]> = [
    [['providers'], raw.providers],
    [['models'], raw.models],
    [['keys'], raw.keys],
    [['budgets', 'aliases'], isObj(raw.budgets) ? raw.budgets.aliases : undefined],
    [['rate_limits', 'aliases'], isObj(raw.rate_limits) ? raw.rate_limits.aliases : undefined],
  ];
  for (const [at, sec] of sections) {
    if (!isObj(sec)) continue;
    for (const name of Object.keys(sec))
      if (isReservedName(name))
        out.push({
          path: formatPath(['litellm', ...at, name]),
          message: `"${name}" is a reserved name; choose another`,
        });
  }
  return out;
}

/**
 * Whether a name used in `keys.*.models` or `budgets.aliases` can mean something: an alias, a
 * name a glob alias matches, a glob covering an alias, or `provider/model`.
 */
function aliasMatcher(aliases: string[], providers: string[]): (name: string) => boolean {
  const globs = aliases.filter(isGlob).map(globToRegExp);
  return (name) => {
    if (aliases.includes(name)) return true;
    if (globs.some((g) => g.test(name))) return true;
    if (isGlob(name)) return aliases.some((a) => globToRegExp(name).test(a));
    const slash = name.indexOf('/');
    return slash > 0 && providers.includes(name.slice(0, slash));
  };
}

export function isGlob(name: string): boolean {
  return /[*?]/.test(name);
}

/** `claude-*` → /^claude-.*$/; `?` is one character; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
