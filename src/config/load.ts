import { dirname, resolve } from 'node:path';
import { configCandidates } from '../shared/paths.js';
import { coerceScalars } from './coerce.js';
import { defaultLitellmSection } from './defaults.js';
import { expandEnv, readDotEnv, withDotEnv, type Env } from './env.js';
import { formatIssue, zodIssuesToConfigIssues } from './format-issues.js';
import { DEFAULT_PORT, buildConfig } from './normalize.js';
import { normalizeProviders, type NormalizeContext } from './providers.js';
import { isLitellmProxyConfig } from './litellm/convert.js';
import { loadLitellmProxy } from './litellm/load-proxy.js';
import { crossCheck } from './rules.js';
import { configFileSchema } from './schema.js';
import type { ConfigIssue, KeyState, LoadedConfig } from './types.js';
import { readConfigFile } from './read-file.js';
import { parseYaml } from './yaml-text.js';

/**
 * config.yml → LoadedConfig: find the file (§2), read its `.env`, parse the YAML, expand `${VAR}`,
 * check it against the schema and the cross-section rules (every problem at once), normalize.
 * No file at the default locations → the embedded defaults.
 */

export interface LoadOptions {
  /** An explicit file (`--config`); must exist. Else $AGENTBOX_CONFIG (must exist), else §2's defaults. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** `--port`: wins over LITELLM_PORT, which wins over the file. */
  port?: number;
}

export type LoadResult =
  { ok: true; loaded: LoadedConfig } | { ok: false; errors: ConfigIssue[]; path?: string };

export async function loadConfig(opts: LoadOptions = {}): Promise<LoadResult> {
  const env = opts.env ?? process.env;
  const mustExist = Boolean(opts.path || env.AGENTBOX_CONFIG);
  const candidates = configCandidates(env, opts.path);
  for (const candidate of candidates) {
    const file = resolve(candidate);
    let text: string;
    try {
      text = await readConfigFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !mustExist) continue;
      const message =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorText(e);
      return { ok: false, errors: [{ path: file, message }], path: file };
    }
    const dotenv = await readDotEnvSafe(dirname(file));
    if (!dotenv.ok) return { ok: false, errors: [dotenv.error], path: file };
    return loadConfigText(text, { path: file, env: withDotEnv(env, dotenv.vars), port: opts.port });
  }
  // No file: the embedded defaults, with the `.env` of the would-be config directory if there is one.
  const dotenv = await readDotEnvSafe(dirname(resolve(candidates[0])));
  const merged = dotenv.ok ? withDotEnv(env, dotenv.vars) : env;
  return loadConfigObject({ litellm: defaultLitellmSection(merged) }, { env: merged, port: opts.port });
}

/** Loads config text as if read from `path` (used in messages; nothing is read from disk). */
export function loadConfigText(
  text: string,
  opts: { path?: string; env?: Env; port?: number } = {},
): LoadResult {
  const parsed = parseYaml(text, opts.path);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, path: opts.path };
  return loadConfigObject(parsed.value, opts);
}

/**
 * The parsed document → LoadedConfig. A LiteLLM proxy file (model_list and friends, no `litellm:`)
 * is converted and run with LiteLLM's meaning; any other document without `litellm:` is an error.
 */
export function loadConfigObject(
  root: unknown,
  opts: { path?: string; env?: Env; port?: number } = {},
): LoadResult {
  const env = opts.env ?? process.env;
  const fail = (errors: ConfigIssue[]): LoadResult => ({
    ok: false,
    errors: dedupe(errors),
    path: opts.path,
  });
  if (root === null || root === undefined) root = {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    return fail([{ path: '(root)', message: 'expected a mapping with a litellm: section' }]);
  }
  const doc = root as Record<string, unknown>;
  const warnings: ConfigIssue[] = [];
  let section = doc.litellm;
  if (section === undefined) {
    if (isLitellmProxyConfig(doc)) return loadLitellmProxy(doc, opts, loadConfigObject);
    return fail([{ path: opts.path ?? '(root)', message: noSectionMessage(doc) }]);
  } else if (section === null) section = {};

  const expanded = expandEnv({ litellm: section }, env);
  const ctx: NormalizeContext = { env, missing: expanded.missing };
  const raw = coerceScalars(configFileSchema, expanded.value) as { litellm: unknown };
  const errors: ConfigIssue[] = [];

  // jitless: the config is parsed once per start or reload; compiling zod's fast path for it
  // costs more than it saves.
  const parsed = configFileSchema.safeParse(raw, {
    jitless: true,
    error: (iss) =>
      iss.code === 'invalid_type' && iss.input === undefined ? `required (${iss.expected})` : undefined,
  });
  if (!parsed.success) errors.push(...zodIssuesToConfigIssues(parsed.error.issues, configFileSchema));
  const rules = crossCheck(raw.litellm, ctx);
  errors.push(...rules.errors);
  const providers = normalizeProviders((raw.litellm as { providers?: unknown } | undefined)?.providers, ctx);
  errors.push(...providers.errors);
  const port = resolvePort(opts.port, env.LITELLM_PORT, errors);
  if (errors.length || !parsed.success || !parsed.data.litellm) return fail(errors);

  const built = buildConfig(
    parsed.data.litellm,
    providers.providers,
    ctx,
    port ?? parsed.data.litellm.port ?? DEFAULT_PORT,
  );
  warnings.push(...providers.warnings, ...rules.warnings, ...built.warnings);
  const loaded: LoadedConfig = { config: built.config, warnings: dedupe(warnings) };
  if (opts.path) loaded.path = opts.path;
  return { ok: true, loaded };
}

function noSectionMessage(doc: Record<string, unknown>): string {
  const keys = Object.keys(doc);
  const looks = keys.length
    ? `it has ${keys.length === 1 ? 'the top-level key' : 'top-level keys'} ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''} but no litellm: section`
    : 'the file is empty';
  return `${looks}, so it configures no gateway. Add a litellm: section (agentbox config init --config <file> writes an example), point --config at a LiteLLM proxy config.yaml (one with model_list:), or remove the file to run on the embedded defaults`;
}

/** `--port` over LITELLM_PORT; undefined leaves the file's port. Bad values are errors. */
function resolvePort(
  flag: number | undefined,
  envPort: string | undefined,
  errors: ConfigIssue[],
): number | undefined {
  const check = (value: unknown, path: string): number | undefined => {
    const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : NaN;
    if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
    errors.push({ path, message: `expected a port 0..65535, got ${JSON.stringify(value)}` });
    return undefined;
  };
  if (flag !== undefined) return check(flag, '--port');
  if (envPort !== undefined && envPort.trim() !== '') return check(envPort, 'LITELLM_PORT');
  return undefined;
}

/** One row per deployment, in alias and chain order: what `models` and `status` list. */
export function describeDeployments(
  loaded: LoadedConfig,
): Array<{ alias: string; provider: string; model: string; apiBase: string; key: KeyState }> {
  return loaded.config.models.flatMap((alias) =>
    alias.deployments.map((d) => ({
      alias: alias.name,
      provider: d.provider.name,
      model: d.model,
      apiBase: d.provider.apiBase,
      key: d.provider.keyState,
    })),
  );
}

async function readDotEnvSafe(
  dir: string,
): Promise<{ ok: true; vars: Record<string, string> } | { ok: false; error: ConfigIssue }> {
  try {
    return { ok: true, vars: await readDotEnv(dir) };
  } catch (e) {
    return { ok: false, error: { path: resolve(dir, '.env'), message: errorText(e) } };
  }
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `cannot read (${err.code})` : String(err?.message ?? e);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const line = formatIssue(i);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}
