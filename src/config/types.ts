import type { StrategyName } from './strategy-names.js';

/**
 * The normalized config the gateway runs on: camelCase, env expanded, provider types inferred,
 * each chain entry resolved into a Deployment. Produced by `load.ts` from the zod schema's output.
 */

export type ProviderType =
  'openai' | 'openai_compatible' | 'ollama' | 'anthropic' | 'bedrock' | 'azure' | 'gemini' | 'vertex_ai';

/** A Google service account key file (the fields the signed-JWT grant needs). */
export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  tokenUri: string;
  projectId?: string;
}

/** Where a `vertex_ai` provider's models live and how it gets an access token. */
export interface VertexSettings {
  project: string;
  /** A region such as `us-central1`, or `global`. */
  location: string;
  /** Service-account credentials; without them `apiKey` is a static OAuth access token. */
  credentials?: ServiceAccount;
  /** `vertex_credentials: metadata`: tokens from the GCE metadata server at this host. */
  metadataHost?: string;
}

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
  /** `client`: the client's own credentials are forwarded (a Claude Pro/Max login), no configured key. */
  auth?: 'key' | 'client';
  /** Bedrock: the AWS region; credentials are resolved per request from `aws`. */
  region?: string;
  aws?: AwsSource;
  /** Azure: the `api-version` query parameter of the deployments URL shape. */
  apiVersion?: string;
  /** Azure: an Entra ID bearer token sent instead of the `api-key` header. */
  adToken?: string;
  /** `vertex_ai` providers only. */
  vertex?: VertexSettings;
  /** Whether the server takes Chat `reasoning_effort` (undefined: not known). */
  reasoningEffort?: boolean;
}

/** Where a Bedrock provider's credentials come from, read again whenever they are about to expire. */
export interface AwsSource {
  /** The AWS_* variables seen at load (environment and `.env`). */
  env: Record<string, string>;
  profile: string;
  credentialsFile: string;
  configFile: string;
}

export interface Deployment {
  /** Stable id: `<provider>/<model>`; also the `x-agentbox-deployment` header value. */
  id: string;
  alias: string;
  /** Position in the alias's chain. */
  index: number;
  provider: ProviderConfig;
  model: string;
  /** Tier in the chain (absent: the position); equal orders form a load-sharing group. */
  order?: number;
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
  /** Tried only after a failure of one of these kinds; absent: after any but content_policy. */
  fallbackOn?: FallbackKind[];
  /** Why this build cannot serve the deployment (a provider without an adapter); the router skips it. */
  unsupported?: string;
  /** What it can do; an absent capability is assumed present. */
  capabilities?: Capabilities;
  /** Overrides the gateway's `dropParams` for this deployment. */
  dropParams?: boolean;
  /** Parameters set over the client's values, named as the deployment's wire takes them. */
  force?: Record<string, unknown>;
  /** Parameters removed from every request to this deployment. */
  drop?: string[];
}

export interface Capabilities {
  vision?: boolean;
  tools?: boolean;
  jsonSchema?: boolean;
  reasoning?: boolean;
}

export type FallbackKind = 'rate_limit' | 'error' | 'context_window' | 'content_policy';

export interface ModelAlias {
  name: string;
  /** True for glob names such as `claude-*`. */
  glob: boolean;
  deployments: Deployment[];
  /** `litellm.model_labels.<alias>`: what a model picker shows (default: from the first deployment). */
  label?: string;
}

export interface FallbackToggles {
  onRateLimit: boolean;
  onContextWindow: boolean;
  onError: boolean;
  /** Move on when a content filter refused (Azure `content_filter`); LiteLLM's content_policy_fallbacks. */
  onContentPolicy?: boolean;
}

export interface RouterSettings {
  numRetries: number;
  /** Per-attempt timeout in seconds: connect, headers, and idle time between stream chunks. */
  timeoutS: number;
  retryAfterSeconds: number;
  allowedFails: number;
  /** Cooldown when the upstream gave no Retry-After, seconds. */
  cooldownS: number;
  /** How equal-order groups share load (absent: weighted). */
  strategy?: StrategyName;
  /** Skip deployments that cannot serve a request before trying them (absent: on). */
  preCallChecks?: boolean;
  /** Per-alias overrides of `strategy`, by exact alias name. */
  aliasStrategies?: Record<string, StrategyName>;
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
  tools?: ToolLimits;
}

/** Limits per MCP tool name (`complete`, `consensus`). */
export type ToolLimits = Partial<Record<'complete' | 'consensus', RateLimit>>;

export interface McpSettings {
  maxImageBytes: number;
  maxFilesBytes: number;
  threadTtlS: number;
  threadMaxTurns: number;
  maxThreads: number;
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
  /** Target aliases by request trait (see router/trait-routes.ts). */
  routes?: TraitRoutes;
  budgets?: Budget & { aliases?: Record<string, Budget> };
  rateLimits?: RateLimit & { aliases?: Record<string, RateLimit>; tools?: ToolLimits };
  cache?: { type: 'memory' | 'redis'; ttlS: number; maxEntries: number };
  redisUrl?: string;
  /** Host header values accepted besides the loopback names and the listen address. */
  allowedHosts?: string[];
  /** Web page origins allowed to call the gateway. */
  allowedOrigins?: string[];
  /** Request body limit in bytes. */
  maxBodyBytes: number;
  /** OpenTelemetry traces; absent: off. */
  otel?: {
    endpoint?: string;
    protocol?: 'http/protobuf' | 'http/json';
    headers?: Record<string, string>;
    captureContent: boolean;
    maxQueue: number;
  };
  mcp: McpSettings;
  dropParams?: boolean;
}

export interface TraitRoutes {
  background?: string;
  thinking?: string;
  longContext?: string;
  longContextTokens: number;
  images?: string;
  webSearch?: string;
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
  /** What a LiteLLM proxy file set that agentbox does not honour (absent for agentbox files). */
  ignored?: IgnoredKey[];
  /** `litellm-proxy` when the file was a LiteLLM proxy config.yaml read as one. */
  format?: 'litellm-proxy';
}

/** One key of a LiteLLM file that is not honoured: path as in that file, value summary, reason. */
export interface IgnoredKey {
  path: string;
  value: string;
  reason: string;
}
