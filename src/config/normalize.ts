import { formatPath } from './format-issues.js';
import { groupWarnings, routerStrategies } from './groups.js';
import { missingSuffix, type NormalizeContext } from './providers.js';
import { isGlob } from './rules.js';
import type { RawDeployment, RawLitellm } from './schema.js';
import { own } from '../shared/own.js';
import type {
  Budget,
  ConfigIssue,
  Deployment,
  LitellmConfig,
  ModelAlias,
  ProviderConfig,
  ToolLimits,
  TraitRoutes,
  VirtualKey,
} from './types.js';

/**
 * The schema's output (snake_case, validated) → `LitellmConfig` (camelCase). Runs only on a file
 * without errors; what it reports are warnings.
 */

export const DEFAULT_PORT = 4000;

export function buildConfig(
  raw: RawLitellm,
  providers: Record<string, ProviderConfig>,
  ctx: NormalizeContext,
  port: number,
): { config: LitellmConfig; warnings: ConfigIssue[] } {
  const warnings: ConfigIssue[] = [];
  const models: ModelAlias[] = Object.entries(raw.models).map(([name, chain]) => ({
    name,
    glob: isGlob(name),
    deployments: chain.map((entry, index) =>
      toDeployment(
        name,
        index,
        withAliasOverrides(entry, own(raw.router.aliases ?? {}, name)),
        own(providers, entry.provider)!,
      ),
    ),
    ...(raw.model_labels && Object.hasOwn(raw.model_labels, name) ? { label: raw.model_labels[name] } : {}),
  }));
  if (models.length === 0) {
    warnings.push({ path: 'litellm.models', message: 'no aliases; only provider/model names will resolve' });
  }

  const config: LitellmConfig = {
    enabled: raw.enabled,
    port,
    host: raw.host,
    providers,
    models,
    fallbacks: {
      onRateLimit: raw.fallbacks.on_rate_limit,
      onContextWindow: raw.fallbacks.on_context_window,
      onError: raw.fallbacks.on_error,
      onContentPolicy: raw.fallbacks.on_content_policy,
    },
    router: {
      numRetries: raw.router.num_retries,
      timeoutS: raw.router.timeout,
      retryAfterSeconds: raw.router.retry_after_seconds,
      allowedFails: raw.router.allowed_fails,
      cooldownS: raw.router.cooldown,
      preCallChecks: raw.router.enable_pre_call_checks,
      ...routerStrategies(raw.router),
    },
    maxBodyBytes: raw.max_body_bytes,
    mcp: {
      maxImageBytes: raw.mcp.max_image_bytes,
      maxFilesBytes: raw.mcp.max_files_bytes,
      threadTtlS: raw.mcp.thread_ttl,
      threadMaxTurns: raw.mcp.thread_max_turns,
      maxThreads: raw.mcp.max_threads,
    },
  };
  if (raw.allowed_hosts?.length) config.allowedHosts = [...raw.allowed_hosts];
  if (raw.allowed_origins?.length) config.allowedOrigins = [...raw.allowed_origins];
  if (raw.drop_params !== undefined) config.dropParams = raw.drop_params;
  warnings.push(...groupWarnings(models, config.router));
  if (raw.routes) {
    const r = raw.routes;
    config.routes = assignDefined<TraitRoutes>(
      { longContextTokens: r.long_context_tokens },
      {
        background: r.background,
        thinking: r.thinking,
        longContext: r.long_context,
        images: r.images,
        webSearch: r.web_search,
      },
    );
  }
  const masterKey = raw.master_key?.trim() ? raw.master_key : undefined;
  if (masterKey) config.masterKey = masterKey;

  if (raw.keys) {
    config.keys = {};
    for (const [name, k] of Object.entries(raw.keys)) {
      const path = formatPath(['litellm', 'keys', name, 'key']);
      const key: VirtualKey = { name, keyState: k.key.trim() ? 'set' : 'missing' };
      if (key.keyState === 'set') key.key = k.key;
      else warnings.push({ path, message: `empty${missingSuffix(ctx, path)}; key "${name}" is disabled` });
      if (k.models) key.models = [...k.models];
      if (k.budget) key.budget = budget(k.budget);
      assignDefined(key, { rpm: k.rpm, tpm: k.tpm });
      if (k.tools) key.tools = toolLimits(k.tools);
      config.keys[name] = key;
    }
  }
  if (raw.budgets) {
    const { aliases, ...global } = raw.budgets;
    config.budgets = budget(global);
    if (aliases) {
      config.budgets.aliases = Object.fromEntries(Object.entries(aliases).map(([a, b]) => [a, budget(b)]));
    }
  }
  if (raw.rate_limits) {
    config.rateLimits = assignDefined({}, { rpm: raw.rate_limits.rpm, tpm: raw.rate_limits.tpm });
    if (raw.rate_limits.tools) config.rateLimits.tools = toolLimits(raw.rate_limits.tools);
    if (raw.rate_limits.aliases) {
      config.rateLimits.aliases = Object.fromEntries(
        Object.entries(raw.rate_limits.aliases).map(([a, l]) => [
          a,
          assignDefined({}, { rpm: l.rpm, tpm: l.tpm }),
        ]),
      );
    }
  }

  if (raw.otel) {
    config.otel = assignDefined<NonNullable<LitellmConfig['otel']>>(
      { captureContent: raw.otel.capture_content, maxQueue: raw.otel.max_queue },
      { endpoint: raw.otel.endpoint, protocol: raw.otel.protocol, headers: raw.otel.headers },
    );
  }

  const redisUrl = raw.redis_url?.trim() ? raw.redis_url : undefined;
  if (redisUrl) config.redisUrl = redisUrl;
  else if (raw.redis_url !== undefined) {
    warnings.push({
      path: 'litellm.redis_url',
      message: `empty${missingSuffix(ctx, 'litellm.redis_url')}; limits, cooldowns and counters stay in this process`,
    });
  }
  if (raw.cache) {
    let type = raw.cache.type;
    if (type === 'redis' && !redisUrl) {
      warnings.push({ path: 'litellm.cache.type', message: 'redis needs redis_url; using the memory cache' });
      type = 'memory';
    }
    config.cache = { type, ttlS: raw.cache.ttl, maxEntries: raw.cache.max_entries };
  }
  return { config, warnings };
}

/** `router.aliases.<alias>` force/drop/drop_params on a chain entry; the entry's own settings win. */
function withAliasOverrides(
  e: RawDeployment,
  a: { force?: Record<string, unknown>; drop?: string[]; drop_params?: boolean } | undefined,
): RawDeployment {
  if (!a || (a.force === undefined && a.drop === undefined && a.drop_params === undefined)) return e;
  return {
    ...e,
    force: a.force || e.force ? { ...a.force, ...e.force } : undefined,
    drop: a.drop || e.drop ? [...new Set([...(a.drop ?? []), ...(e.drop ?? [])])] : undefined,
    drop_params: e.drop_params ?? a.drop_params,
  };
}

function toDeployment(alias: string, index: number, e: RawDeployment, provider: ProviderConfig): Deployment {
  const d: Deployment = { id: `${provider.name}/${e.model}`, alias, index, provider, model: e.model };
  assignDefined(d, {
    order: e.order,
    weight: e.weight,
    timeoutS: e.timeout,
    maxTokens: e.max_tokens,
    contextWindow: e.context_window,
    inputCostPerToken: e.input_cost_per_token,
    outputCostPerToken: e.output_cost_per_token,
    cacheReadCostPerToken: e.cache_read_input_token_cost,
    cacheWriteCostPerToken: e.cache_creation_input_token_cost,
    rpm: e.rpm,
    tpm: e.tpm,
    params: e.params ? { ...e.params } : undefined,
    fallbackOn: e.fallback_on ? [...e.fallback_on] : undefined,
    capabilities: e.capabilities
      ? assignDefined(
          {},
          {
            vision: e.capabilities.vision,
            tools: e.capabilities.tools,
            jsonSchema: e.capabilities.json_schema,
            reasoning: e.capabilities.reasoning,
          },
        )
      : undefined,
    dropParams: e.drop_params,
    force: e.force ? { ...e.force } : undefined,
    drop: e.drop ? [...e.drop] : undefined,
  });
  return d;
}

function toolLimits(
  t: Partial<Record<'complete' | 'consensus', { rpm?: number; tpm?: number }>>,
): ToolLimits {
  const out: ToolLimits = {};
  for (const tool of ['complete', 'consensus'] as const) {
    const l = t[tool];
    if (l) out[tool] = assignDefined({}, { rpm: l.rpm, tpm: l.tpm });
  }
  return out;
}

function budget(b: { usd_per_day?: number; usd_per_month?: number }): Budget {
  return assignDefined({}, { usdPerDay: b.usd_per_day, usdPerMonth: b.usd_per_month });
}

/** Copies the fields that are not undefined, so normalized objects carry no `key: undefined`. */
function assignDefined<T extends object>(target: T, fields: Partial<T>): T {
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
}
