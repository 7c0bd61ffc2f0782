import type { ConfigIssue } from '../types.js';
import { convertDeployment, isObj, type ConvertedDeployment } from './deployment.js';
import { fallbackSteps, type FallbackKind, type FallbackLists } from './fallbacks.js';
import { IgnoredList, type IgnoredKey } from './ignored.js';
import { convertSettings } from './settings.js';

/**
 * A LiteLLM proxy `config.yaml` → agentbox's `litellm:` section with the same meaning, plus what
 * could not be honoured. Strings keep their `${VAR}` references (LiteLLM's `os.environ/VAR`
 * becomes `${VAR}`), so the section can be written out by `config import` as it is run.
 */

type Obj = Record<string, unknown>;

/** A deployment kept in its chain but not servable by this build (no adapter for its provider). */
export interface UnsupportedDeployment {
  alias: string;
  /** Its position in the alias's chain. */
  index: number;
  provider: string;
  model: string;
  reason: string;
  /** Where it is in the LiteLLM file, e.g. `model_list[1]`. */
  source: string;
}

export interface LitellmConversion {
  section: Obj;
  ignored: IgnoredKey[];
  errors: ConfigIssue[];
  unsupported: UnsupportedDeployment[];
  /** Every alias in file order (including those whose chain has only unsupported deployments). */
  aliases: string[];
  /** `environment_variables`: set before `${VAR}` expansion; the process environment wins. */
  environment: Record<string, string>;
  /** Per alias, the model_list index of each chain entry written (for comments in `config import`). */
  sources: Record<string, Array<{ index: number; own: boolean }>>;
}

const TOP_LEVEL = new Set([
  'model_list',
  'router_settings',
  'litellm_settings',
  'general_settings',
  'environment_variables',
]);

/** A file without `litellm:` that has LiteLLM's top-level sections. */
export function isLitellmProxyConfig(doc: Obj): boolean {
  return (
    doc.litellm === undefined &&
    ['model_list', 'router_settings', 'litellm_settings', 'general_settings'].some((k) =>
      Object.hasOwn(doc, k),
    )
  );
}

export function convertLitellmProxy(input: Obj): LitellmConversion {
  const doc = toReferences(input) as Obj;
  const ignored = new IgnoredList();
  const errors: ConfigIssue[] = [];
  for (const key of Object.keys(doc)) {
    if (key === 'include')
      errors.push({
        path: 'include',
        message: 'included files are not read by agentbox; merge them into this file',
      });
    else if (!TOP_LEVEL.has(key)) ignored.add([key], doc[key], 'not a LiteLLM proxy section agentbox reads');
  }
  const environment = envVars(doc.environment_variables, errors);

  const list = doc.model_list ?? [];
  if (!Array.isArray(list)) errors.push({ path: 'model_list', message: 'expected a list of deployments' });
  const deployments = (Array.isArray(list) ? list : [])
    .map((entry, i) => convertDeployment(entry, i, ignored, errors))
    .filter((d): d is ConvertedDeployment => d !== undefined);

  const groups = new Map<string, ConvertedDeployment[]>();
  for (const d of deployments) groups.set(d.alias, [...(groups.get(d.alias) ?? []), d]);
  for (const g of groups.values()) g.sort((a, b) => a.order - b.order);
  const names = new Set(groups.keys());
  const providerNames = nameProviders(deployments);

  const settings = convertSettings(doc, ignored);
  errors.push(...settings.errors);
  const lists = fallbackLists(doc);
  const seen = new Set<string>();
  const chains = new Map<string, ChainItem[]>();
  for (const [alias, own] of groups) {
    const steps = fallbackSteps(alias, lists, names, ignored, seen);
    const tiered = steps.length > 0 || own.some((d) => d.order !== 1);
    const items: ChainItem[] = own.map((d) => ({ d, tier: d.order }));
    let offset = Math.max(...own.map((d) => d.order));
    for (const step of steps) {
      const target = groups.get(step.group)!;
      for (const d of target) items.push({ d, tier: offset + d.order, on: step.on });
      offset += Math.max(...target.map((d) => d.order));
    }
    if (!tiered) for (const item of items) item.tier = undefined;
    chains.set(alias, items);
  }
  for (const [alias, target] of groupAliases(doc, names, ignored)) chains.set(alias, chains.get(target)!);

  const models: Obj = {};
  const unsupported: UnsupportedDeployment[] = [];
  const sources: LitellmConversion['sources'] = {};
  for (const [alias, items] of chains) {
    const chain: Obj[] = [];
    const from: Array<{ index: number; own: boolean }> = [];
    items.forEach((item, index) => {
      const { d } = item;
      if (d.unsupported) {
        unsupported.push({ alias, index, ...d.unsupported, source: `model_list[${d.index}]` });
        return;
      }
      const entry: Obj = { provider: providerNames.get(d)!, model: d.model, ...d.chainEntry };
      if (item.tier !== undefined) entry.order = item.tier;
      if (item.on) entry.fallback_on = item.on;
      chain.push(entry);
      from.push({ index: d.index, own: d.alias === alias });
    });
    if (chain.length) models[alias] = chain;
    sources[alias] = from;
  }

  const providers: Obj = {};
  for (const d of deployments) if (d.provider) providers[providerNames.get(d)!] = d.provider.entry;
  const section: Obj = { providers, models, router: settings.router, ...settings.section };
  const used = JSON.stringify(section);
  for (const [name, value] of Object.entries(environment)) {
    if (!used.includes(`\${${name}`))
      ignored.add(
        ['environment_variables', name],
        value,
        'nothing agentbox reads from this file refers to it',
      );
  }
  return {
    section,
    ignored: ignored.items,
    errors,
    unsupported,
    aliases: [...chains.keys()],
    environment,
    sources,
  };
}

interface ChainItem {
  d: ConvertedDeployment;
  tier?: number;
  on?: FallbackKind[];
}

/** One provider per distinct (type, api_base, api_key, headers), named by its prefix: `openai`, `openai_2`, … */
function nameProviders(deployments: ConvertedDeployment[]): Map<ConvertedDeployment, string> {
  const byContent = new Map<string, string>();
  const used = new Map<string, number>();
  const out = new Map<ConvertedDeployment, string>();
  for (const d of deployments) {
    if (!d.provider) continue;
    const key = JSON.stringify(d.provider.entry);
    let name = byContent.get(key);
    if (!name) {
      const n = (used.get(d.provider.baseName) ?? 0) + 1;
      used.set(d.provider.baseName, n);
      name = n === 1 ? d.provider.baseName : `${d.provider.baseName}_${n}`;
      byContent.set(key, name);
    }
    out.set(d, name);
  }
  return out;
}

/** router_settings wins over litellm_settings, list by list. */
function fallbackLists(doc: Obj): FallbackLists {
  const rs = isObj(doc.router_settings) ? doc.router_settings : {};
  const ls = isObj(doc.litellm_settings) ? doc.litellm_settings : {};
  const pick = (key: string) =>
    rs[key] !== undefined
      ? { v: rs[key], p: ['router_settings', key] }
      : { v: ls[key], p: ['litellm_settings', key] };
  const g = pick('fallbacks');
  const cw = pick('context_window_fallbacks');
  const cp = pick('content_policy_fallbacks');
  const df = pick('default_fallbacks');
  return {
    generic: g.v ?? undefined,
    contextWindow: cw.v ?? undefined,
    contentPolicy: cp.v ?? undefined,
    defaults: df.v ?? undefined,
    paths: { generic: g.p, contextWindow: cw.p, contentPolicy: cp.p, defaults: df.p },
  };
}

/** router_settings.model_group_alias: `{gpt-4: gpt-4o}` or `{gpt-4: {model: gpt-4o, hidden: true}}`. */
function groupAliases(doc: Obj, groups: ReadonlySet<string>, ignored: IgnoredList): Array<[string, string]> {
  const rs = isObj(doc.router_settings) ? doc.router_settings : {};
  const map = rs.model_group_alias;
  if (map === undefined || map === null) return [];
  if (!isObj(map)) {
    ignored.add(['router_settings', 'model_group_alias'], map, 'expected a mapping of alias to model_name');
    return [];
  }
  const out: Array<[string, string]> = [];
  for (const [alias, v] of Object.entries(map)) {
    const path = ['router_settings', 'model_group_alias', alias];
    const target = isObj(v) ? v.model : v;
    if (isObj(v) && v.hidden)
      ignored.add([...path, 'hidden'], v.hidden, 'agentbox lists every alias in /v1/models');
    if (typeof target !== 'string' || !groups.has(target))
      ignored.add(path, v, `no model_name ${JSON.stringify(target)} in model_list`);
    else if (groups.has(alias))
      ignored.add(path, v, `"${alias}" is a model_name already; the model_list group is used`);
    else out.push([alias, target]);
  }
  return out;
}

function envVars(v: unknown, errors: ConfigIssue[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    errors.push({ path: 'environment_variables', message: 'expected a mapping of NAME: value' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = String(x);
  return out;
}

/** `os.environ/VAR` → `${VAR}`; a literal `${` is escaped (`$${`) so agentbox does not expand what LiteLLM would not. */
function toReferences(v: unknown): unknown {
  if (typeof v === 'string') {
    const m = /^\s*os\.environ\/([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(v);
    return m ? `\${${m[1]}}` : v.replace(/\$\{/g, () => '$${');
  }
  if (Array.isArray(v)) return v.map(toReferences);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toReferences(x)]));
  return v;
}
