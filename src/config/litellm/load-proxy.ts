import { withDotEnv, type Env } from '../env.js';
import { isGlob } from '../rules.js';
import type { ConfigIssue, Deployment, LoadedConfig, ModelAlias } from '../types.js';
import { convertLitellmProxy, type LitellmConversion } from './convert.js';
import { isObj } from './deployment.js';

/**
 * Runs a LiteLLM proxy file: converts it, loads the resulting `litellm:` section through the
 * ordinary loader (with `environment_variables` under the process environment), refuses a
 * master_key that does not resolve, and puts the deployments this build cannot serve back into
 * their chains as `unsupported`.
 */

type LoadSection = (
  root: unknown,
  opts: { path?: string; env?: Env; port?: number },
) => { ok: true; loaded: LoadedConfig } | { ok: false; errors: ConfigIssue[]; path?: string };

export function loadLitellmProxy(
  doc: Record<string, unknown>,
  opts: { path?: string; env?: Env; port?: number },
  loadSection: LoadSection,
): ReturnType<LoadSection> {
  const conv = convertLitellmProxy(doc);
  const env = withDotEnv(opts.env ?? process.env, conv.environment);
  const result = loadSection({ litellm: conv.section }, { ...opts, env });
  const errors = [...conv.errors, ...(result.ok ? [] : result.errors)];
  if (result.ok) {
    const gs = isObj(doc.general_settings) ? doc.general_settings : {};
    if (gs.master_key !== undefined && !result.loaded.config.masterKey) {
      errors.push({
        path: 'general_settings.master_key',
        message: `empty${missingVars(conv, env)}; this file requires a key for every request, so agentbox will not start without it`,
      });
    }
  }
  if (errors.length || !result.ok) return { ok: false, errors, path: opts.path };
  const loaded = result.loaded;
  loaded.config.models = withUnsupported(loaded.config.models, conv);
  loaded.ignored = conv.ignored;
  loaded.format = 'litellm-proxy';
  loaded.warnings = loaded.warnings.filter((w) => w.path !== 'litellm.master_key');
  return result;
}

function missingVars(conv: LitellmConversion, env: Env): string {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(String(conv.section.master_key ?? ''));
  return m && !env[m[1]] ? ` (${m[1]} is not set)` : '';
}

/** Each alias in file order, its unsupported deployments at their chain positions. */
function withUnsupported(models: ModelAlias[], conv: LitellmConversion): ModelAlias[] {
  if (conv.unsupported.length === 0) return models;
  const byName = new Map(models.map((a) => [a.name, a]));
  const out = conv.aliases.map((name) => {
    const a = byName.get(name);
    return { name, glob: isGlob(name), deployments: a ? [...a.deployments] : [] };
  });
  for (const u of conv.unsupported) {
    const a = out.find((x) => x.name === u.alias)!;
    const d: Deployment = {
      id: `${u.provider}/${u.model}`,
      alias: u.alias,
      index: u.index,
      provider: { name: u.provider, type: 'openai_compatible', apiBase: '', keyState: 'not_needed' },
      model: u.model,
      unsupported: `${u.source}: ${u.reason}`,
    };
    a.deployments.splice(u.index, 0, d);
  }
  for (const a of out) a.deployments = a.deployments.map((d, i) => (d.index === i ? d : { ...d, index: i }));
  return out;
}
