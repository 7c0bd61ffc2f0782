/**
 * The normalized config the gateway runs on: camelCase, env expanded, provider types inferred,
 * each chain entry resolved into a Deployment. Produced by `load.ts` from the zod schema's output.
 */

export type ProviderType = 'openai' | 'openai_compatible' | 'ollama' | 'anthropic';

export type KeyState = 'set' | 'missing' | 'not_needed';

export interface ProviderConfig {
  name: string;
  type: ProviderType;
  /** Base URL including the version path, e.g. `https://api.openai.com/v1`; no trailing slash. */
  apiBase: string;
  apiKey?: string;
  keyState: KeyState;
  /** The env variable(s) the key came from and that were missing, for messages (never the value). */
  missingEnv?: string[];
  /** Extra headers sent upstream with every request. */
  headers?: Record<string, string>;
  timeoutS?: number;
  /** Whether the server takes Chat `reasoning_effort` (undefined: not known). */
  reasoningEffort?: boolean;
}

export interface Deployment {
  /** Stable id: `<provider>/<model>`; also the `x-agentbox-deployment` header value. */
  id: string;
  alias: string;
  /** Position in the alias's chain. */
  index: number;
  provider: ProviderConfig;
  model: string;
  weight?: number;
  timeoutS?: number;
  maxTokens?: number;
  contextWindow?: number;
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  cacheReadCostPerToken?: number;
  cacheWriteCostPerToken?: number;
  rpm?: number;
  tpm?: number;
  /** Defaults merged into the request (the request's own values win). */
  params?: Record<string, unknown>;
  /** Overrides the gateway's `dropParams` for this deployment. */
  dropParams?: boolean;
  /** Parameters set over the client's values, named as the deployment's wire takes them. */
  force?: Record<string, unknown>;
  /** Parameters removed from every request to this deployment. */
  drop?: string[];
}

export interface ModelAlias {
  name: string;
  /** True for glob names such as `claude-*`. */
  glob: boolean;
  deployments: Deployment[];
}

export interface FallbackToggles {
  onRateLimit: boolean;
  onContextWindow: boolean;
  onError: boolean;
}

export interface RouterSettings {
  numRetries: number;
  /** Per-attempt timeout in seconds: connect, headers, and idle time between stream chunks. */
  timeoutS: number;
  retryAfterSeconds: number;
  allowedFails: number;
  /** Cooldown when the upstream gave no Retry-After, seconds. */
  cooldownS: number;
}

export interface Budget {
  usdPerDay?: number;
  usdPerMonth?: number;
}

export interface RateLimit {
  rpm?: number;
  tpm?: number;
}

export interface VirtualKey {
  name: string;
  key?: string;
  keyState: KeyState;
  models?: string[];
  budget?: Budget;
  rpm?: number;
  tpm?: number;
}

export interface LitellmConfig {
  enabled: boolean;
  port: number;
  host: string;
  masterKey?: string;
  providers: Record<string, ProviderConfig>;
  /** Aliases in file order (exact and glob). */
  models: ModelAlias[];
  fallbacks: FallbackToggles;
  router: RouterSettings;
  keys?: Record<string, VirtualKey>;
  budgets?: Budget & { aliases?: Record<string, Budget> };
  rateLimits?: RateLimit & { aliases?: Record<string, RateLimit> };
  cache?: { type: 'memory' | 'redis'; ttlS: number; maxEntries: number };
  redisUrl?: string;
  /** Request body limit in bytes. */
  maxBodyBytes: number;
  /** Parameters a deployment cannot take are dropped (true) or refused with a 400 (false, the default). */
  dropParams?: boolean;
}

export interface ConfigIssue {
  /** Dotted path as in the YAML, e.g. `litellm.models.default[1].provider`. */
  path: string;
  message: string;
}

export interface LoadedConfig {
  config: LitellmConfig;
  /** Where it came from; undefined when the embedded defaults are in use. */
  path?: string;
  /** Problems that do not make the file invalid (e.g. a key whose env variable is missing). */
  warnings: ConfigIssue[];
}
