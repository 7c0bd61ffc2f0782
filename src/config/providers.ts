import { cloudSettings } from './cloud-provider.js';
import { coerceScalars } from './coerce.js';
import type { Env, MissingEnv } from './env.js';
import { formatPath } from './format-issues.js';
import { providerSchema, type RawProvider } from './schema.js';
import type { ConfigIssue, KeyState, ProviderConfig, ProviderType } from './types.js';
import { normalizeVertex } from './vertex.js';
import { DEFAULT_API_BASE, isLoopbackUrl, wellKnownProvider } from './well-known.js';

/**
 * `litellm.providers` → ProviderConfig by name: type inferred from well-known names, api_base
 * defaulted and checked, and the key's state decided. Each entry is parsed on its own, so a broken
 * entry elsewhere in the file does not hide this one's problems; entries that fail the schema are
 * left to the whole-file parse to report.
 */

export interface ProvidersResult {
  providers: Record<string, ProviderConfig>;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

export interface NormalizeContext {
  env: Env;
  missing: MissingEnv;
}

export function normalizeProviders(raw: unknown, ctx: NormalizeContext): ProvidersResult {
  const result: ProvidersResult = { providers: {}, errors: [], warnings: [] };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return result;
  for (const [name, entry] of Object.entries(raw)) {
    const parsed = providerSchema.safeParse(coerceScalars(providerSchema, entry ?? {}), { jitless: true });
    if (!parsed.success) continue;
    const p = normalizeProvider(name, parsed.data, ctx, result);
    if (p) result.providers[name] = p;
  }
  return result;
}

/** Why a value is empty, for messages: ` (OPENAI_API_KEY is not set)` or "". */
export function missingSuffix(ctx: NormalizeContext, path: string): string {
  const vars = ctx.missing.get(path);
  return vars?.length ? ` (${vars.join(', ')} ${vars.length > 1 ? 'are' : 'is'} not set)` : '';
}

function normalizeProvider(
  name: string,
  raw: RawProvider,
  ctx: NormalizeContext,
  out: ProvidersResult,
): ProviderConfig | undefined {
  const at = (key: string) => formatPath(['litellm', 'providers', name, key]);
  const known = wellKnownProvider(name);
  const givenBase = raw.api_base?.trim() || undefined;
  const type: ProviderType | undefined =
    raw.type ?? known?.type ?? (givenBase ? 'openai_compatible' : undefined);
  if (!type) {
    out.errors.push({
      path: at('type'),
      message: `cannot infer the type of provider "${name}": set type (openai, anthropic, ollama, openai_compatible, bedrock, azure, gemini, vertex_ai) or api_base${missingSuffix(ctx, at('api_base'))}`,
    });
    return undefined;
  }
  const cloud = cloudSettings(name, type, raw, ctx.env, out.errors);
  if (!cloud) return undefined;
  const knownBase = known && (!raw.type || raw.type === known.type) ? known.apiBase : undefined;
  const vx = normalizeVertex(raw, type, ctx.env, at);
  if (vx.errors.length > 0) {
    out.errors.push(...vx.errors);
    return undefined;
  }
  const base = givenBase ?? knownBase ?? cloud.defaultApiBase ?? DEFAULT_API_BASE[type] ?? vx.apiBase;
  if (!base) {
    out.errors.push({
      path: at('api_base'),
      message: `required for ${known ? name : type} providers${missingSuffix(ctx, at('api_base'))}`,
    });
    return undefined;
  }
  if (!isHttpUrl(base)) {
    out.errors.push({
      path: at('api_base'),
      message: 'expected an http(s) URL such as https://api.example.com/v1',
    });
    return undefined;
  }
  const apiBase = base.replace(/\/+$/, '');

  let apiKey = raw.api_key;
  let missingEnv = ctx.missing.get(at('api_key'));
  if (raw.api_key === undefined && known?.keyEnv && !cloud.noKey) {
    apiKey = ctx.env[known.keyEnv] || (known.altKeyEnv ? ctx.env[known.altKeyEnv] : undefined);
    if (!apiKey) missingEnv = known.altKeyEnv ? [known.keyEnv, known.altKeyEnv] : [known.keyEnv];
  }
  if (!apiKey?.trim()) apiKey = undefined;
  const keyless =
    type === 'ollama' ||
    (type === 'openai_compatible' && raw.api_key === undefined && isLoopbackUrl(apiBase));
  // A Vertex provider authenticates with its service account, or with api_key as a static access token.
  const keyState: KeyState =
    apiKey || vx.vertex?.credentials || vx.vertex?.metadataHost
      ? 'set'
      : (cloud.keyState ?? (keyless ? 'not_needed' : 'missing'));
  if (keyState === 'missing' && cloud.missingEnv) missingEnv = cloud.missingEnv;
  if (keyState === 'missing') {
    out.warnings.push({
      path: at('api_key'),
      message:
        type === 'vertex_ai' && raw.api_key === undefined
          ? `no credentials; deployments on "${name}" are skipped (set vertex_credentials, GOOGLE_APPLICATION_CREDENTIALS, or api_key to an access token)`
          : missingEnv?.length
            ? `${missingEnv.join(', ')} not set; deployments on "${name}" are skipped`
            : `no api_key; deployments on "${name}" are skipped (set api_key, any value if the server needs none)`,
    });
  }

  const provider: ProviderConfig = { name, type, apiBase, keyState };
  if (apiKey) provider.apiKey = apiKey;
  if (keyState === 'missing' && missingEnv?.length) provider.missingEnv = missingEnv;
  if (raw.headers && Object.keys(raw.headers).length) provider.headers = { ...raw.headers };
  if (raw.timeout !== undefined) provider.timeoutS = raw.timeout;
  if (vx.vertex) provider.vertex = vx.vertex;
  if (keyState === 'missing' && type === 'vertex_ai' && !missingEnv?.length)
    provider.missingEnv = ['GOOGLE_APPLICATION_CREDENTIALS'];
  if (raw.reasoning_effort !== undefined) provider.reasoningEffort = raw.reasoning_effort;
  return Object.assign(provider, cloud.fields);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
