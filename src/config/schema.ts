import { isIP } from 'node:net';
import { z } from 'zod';
import { cloudProviderKeys } from './cloud-schema.js';
import { STRATEGY_INPUT_NAMES } from './strategy-names.js';

/**
 * The one description of `config.yml`. Keys are snake_case as in the file (and in LiteLLM);
 * `load.ts` turns the parsed result into the camelCase `LoadedConfig`. Every object inside
 * `litellm:` is strict, so a misspelt key is an error rather than a silently ignored setting.
 * `config.schema.json` is generated from here (`npm run gen:schema`). Values reach this schema after
 * `${VAR}` expansion and `coerceScalars` (so `port: "${PORT}"` works), which keeps it free of transforms.
 */

/** A listen address: an IP literal or a DNS-style name; nothing a shell or URL would read twice. */
const HOST_PATTERN = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;

const posNum = (d: string) => z.number().positive().optional().describe(d);
const nonNegNum = (d: string) => z.number().nonnegative().optional().describe(d);
const posInt = (d: string) => z.number().int().positive().optional().describe(d);
const flag = (dflt: boolean, d: string) => z.boolean().default(dflt).describe(d);

export const PROVIDER_TYPES = [
  'openai',
  'anthropic',
  'ollama',
  'openai_compatible',
  'bedrock',
  'azure',
  'gemini',
  'vertex_ai',
] as const;

/** Failure kinds a chain entry may be reserved for (`fallback_on`). */
export const FALLBACK_KINDS = ['rate_limit', 'error', 'context_window', 'content_policy'] as const;

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_.:-]+$/, `${what} may contain only letters, digits and _ . : -`);

export const providerSchema = z
  .strictObject({
    type: z
      .enum(PROVIDER_TYPES)
      .optional()
      .describe('Wire protocol. Inferred for well-known names (openai, anthropic, ollama, groq, …).'),
    api_base: z
      .string()
      .optional()
      .describe('Base URL including the version path, e.g. https://api.groq.com/openai/v1'),
    api_key: z
      .string()
      .optional()
      .describe(
        'The provider key, usually ${ENV_VAR}. Defaults to the conventional variable for well-known names.',
      ),
    headers: z.record(z.string(), z.string()).optional().describe('Extra headers sent with every request'),
    timeout: posNum('Per-attempt timeout in seconds (overrides router.timeout)'),
    ...cloudProviderKeys,
    vertex_project: z
      .string()
      .optional()
      .describe('vertex_ai: the Google Cloud project (default: the credentials file project_id)'),
    vertex_location: z
      .string()
      .optional()
      .describe('vertex_ai: region such as us-central1, or global (default us-central1)'),
    vertex_credentials: z
      .string()
      .optional()
      .describe(
        'vertex_ai: path to a service-account JSON key (default $GOOGLE_APPLICATION_CREDENTIALS), or "metadata" for the GCE metadata server; without one, api_key is a static access token',
      ),
    reasoning_effort: z
      .boolean()
      .optional()
      .describe(
        'OpenAI-compatible servers: true sends reasoning_effort (mapped from thinking budgets), false refuses requests that ask for reasoning; unset sends none',
      ),
  })
  .describe('An upstream provider');

const budgetSchema = z
  .strictObject({
    usd_per_day: nonNegNum('Spend limit per UTC day, USD'),
    usd_per_month: nonNegNum('Spend limit per UTC month, USD'),
  })
  .describe('Spend limits');

/** Request fields the gateway itself sets: not for force:/drop:. */
const FIXED = new Set(['model', 'messages', 'input', 'stream']);

export const deploymentSchema = z
  .strictObject({
    provider: z.string().min(1).describe('A name under litellm.providers'),
    model: z.string().min(1).describe('The model name the provider knows, e.g. gpt-4o'),
    order: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'Tier (default: the position). Entries of equal order form a group that shares load; groups are tried in order',
      ),
    weight: posNum("Relative share inside the entry's order group (strategy weighted)"),
    timeout: posNum('Per-attempt timeout in seconds for this deployment'),
    max_tokens: posInt('Clamp: requests asking for more output tokens get this many'),
    context_window: posInt('Context window in tokens'),
    input_cost_per_token: nonNegNum('USD per input token'),
    output_cost_per_token: nonNegNum('USD per output token'),
    cache_read_input_token_cost: nonNegNum('USD per cached input token read'),
    cache_creation_input_token_cost: nonNegNum('USD per input token written to the cache'),
    rpm: posInt('Requests per minute this deployment may receive'),
    tpm: posInt('Tokens per minute this deployment may receive'),
    params: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Defaults merged into the request (the request's own values win)"),
    fallback_on: z
      .array(z.enum(FALLBACK_KINDS))
      .min(1)
      .optional()
      .describe(
        'Tried only after a failure of one of these kinds (rate_limit, error, context_window, content_policy); default: any but content_policy',
      ),
    capabilities: z
      .strictObject({
        vision: z.boolean().optional().describe('Takes image input'),
        tools: z.boolean().optional().describe('Takes tool definitions and calls tools'),
        json_schema: z.boolean().optional().describe('Follows a JSON schema (structured output)'),
        reasoning: z.boolean().optional().describe('Takes thinking / reasoning effort'),
      })
      .optional()
      .describe(
        'What the deployment can do (absent: assumed able); requests needing more skip it before it is tried',
      ),
    drop_params: z.boolean().optional().describe('Overrides litellm.drop_params for this deployment'),
    force: z
      .record(
        z.string().refine((k) => !FIXED.has(k), {
          message: 'force may not set model, messages, input or stream (the gateway sets them)',
        }),
        z.unknown(),
      )
      .optional()
      .describe("Parameters set over the client's values, named as this deployment's API takes them"),
    drop: z
      .array(
        z.string().refine((k) => !FIXED.has(k), {
          message: 'drop may not remove model, messages, input or stream',
        }),
      )
      .optional()
      .describe('Parameters removed from every request to this deployment (listed in x-agentbox-dropped)'),
  })
  .describe('One deployment in a fallback chain');

const rateLimitSchema = (what: string) =>
  z.strictObject({
    rpm: posInt(`Requests per minute ${what}`),
    tpm: posInt(`Tokens per minute ${what}`),
  });

/** Limits per MCP tool (`complete`, `consensus`): rpm counts tool calls, tpm the tokens their model calls use. */
const toolLimitsSchema = z
  .strictObject({
    complete: rateLimitSchema('of the MCP complete tool').optional(),
    consensus: rateLimitSchema('of the MCP consensus tool').optional(),
  })
  .optional()
  .describe('Limits per MCP tool, for calls through `agentbox mcp` or /mcp');
const strategySchema = z
  .enum(STRATEGY_INPUT_NAMES)
  .describe(
    'How a group of equal-order chain entries shares load: ordered, weighted (default), least_busy, latency, usage, cost; LiteLLM names accepted',
  );

const virtualKeySchema = z
  .strictObject({
    key: z.string().describe('The secret clients send, usually ${ENV_VAR}'),
    models: z.array(z.string().min(1)).optional().describe('Aliases (globs allowed) this key may use'),
    budget: budgetSchema.optional(),
    rpm: posInt('Requests per minute for this key'),
    tpm: posInt('Tokens per minute for this key'),
    tools: toolLimitsSchema,
  })
  .describe('A virtual key');

export const litellmSchema = z
  .strictObject({
    enabled: flag(true, 'Start the gateway with the container (agentbox container-init)'),
    port: z
      .number()
      .int('port must be an integer')
      .min(0, 'port must be 0..65535')
      .max(65535, 'port must be 0..65535')
      .optional()
      .describe('TCP port (default 4000); LITELLM_PORT and --port override it'),
    host: z
      .string()
      .min(1)
      .regex(
        HOST_PATTERN,
        'host must be an IP address or a name of letters, digits, dots and hyphens (e.g. 127.0.0.1, ::1, localhost)',
      )
      .refine((h) => !h.includes(':') || isIP(h) === 6, 'host is not a valid IPv6 address')
      .default('127.0.0.1')
      .describe('Listen address; loopback only unless master_key is set'),
    master_key: z.string().optional().describe('When set, every request must carry it (Bearer or x-api-key)'),
    providers: z
      .record(name('a provider name'), providerSchema)
      .default({})
      .describe('Upstream providers by name'),
    models: z
      .record(
        z.string().min(1),
        z.array(deploymentSchema).min(1, 'empty chain: list at least one {provider, model}'),
      )
      .default({})
      .describe('Alias → ordered fallback chain. Names containing * or ? are globs, tried in file order.'),
    fallbacks: z
      .strictObject({
        on_rate_limit: flag(true, 'Try the next deployment on 429'),
        on_context_window: flag(true, 'Try the next deployment when the prompt does not fit'),
        on_error: flag(true, 'Try the next deployment on 5xx, timeouts and connection errors'),
        on_content_policy: flag(
          false,
          "Try the next deployment when the upstream's content filter refused the request or its answer",
        ),
      })
      .prefault({})
      .describe('When to move on to the next deployment of a chain'),
    router: z
      .strictObject({
        num_retries: z.number().int().nonnegative().default(3).describe('Retries per deployment'),
        timeout: z.number().positive().default(120).describe('Per-attempt timeout, seconds'),
        retry_after_seconds: z
          .number()
          .nonnegative()
          .default(60)
          .describe('Longest Retry-After to wait for before moving on, seconds'),
        allowed_fails: z
          .number()
          .int()
          .nonnegative()
          .default(3)
          .describe('Failures in a row before a deployment cools down'),
        cooldown: z
          .number()
          .nonnegative()
          .default(30)
          .describe('Cooldown when the upstream gives no Retry-After, seconds'),
        strategy: strategySchema.optional(),
        enable_pre_call_checks: flag(
          true,
          'Skip deployments that cannot serve a request (images, tools, JSON schema, reasoning, context window) before trying them',
        ),
        aliases: z
          .record(
            z.string(),
            z.strictObject({
              strategy: strategySchema.optional(),
              force: deploymentSchema.shape.force.describe(
                "Parameters set over the client's values on every deployment of the alias (a chain entry's own force wins)",
              ),
              drop: deploymentSchema.shape.drop.describe(
                'Parameters removed from every request to the alias (added to each chain entry’s drop)',
              ),
              drop_params: deploymentSchema.shape.drop_params.describe(
                'Overrides litellm.drop_params for the alias (a chain entry’s own drop_params wins)',
              ),
            }),
          )
          .optional()
          .describe('Router settings per alias (exact alias name), overriding the ones above'),
      })
      .prefault({})
      .describe('Retries, timeouts and cooldowns'),
    routes: z
      .strictObject({
        background: z
          .string()
          .min(1)
          .optional()
          .describe("Claude Code's small-model calls without tools (titles, summaries)"),
        thinking: z.string().min(1).optional().describe('Requests that set thinking or a reasoning effort'),
        long_context: z
          .string()
          .min(1)
          .optional()
          .describe('Requests whose prompt is over long_context_tokens'),
        long_context_tokens: z
          .number()
          .int()
          .positive()
          .default(60000)
          .describe('Prompt size in tokens above which long_context applies'),
        images: z.string().min(1).optional().describe('Requests with image input'),
        web_search: z.string().min(1).optional().describe('Requests with a web search tool'),
      })
      .optional()
      .describe(
        'Send requests to another alias by what they are, before the chain is chosen; checked in the order long_context, background, web_search, thinking, images',
      ),
    keys: z
      .record(name('a key name'), virtualKeySchema)
      .optional()
      .describe('Virtual keys; when present, only these (and master_key) are accepted'),
    budgets: z
      .strictObject({
        ...budgetSchema.shape,
        aliases: z.record(z.string(), budgetSchema).optional().describe('Limits per alias'),
      })
      .optional()
      .describe('Global spend limits'),
    rate_limits: z
      .strictObject({
        rpm: posInt('Requests per minute, all keys'),
        tpm: posInt('Tokens per minute, all keys'),
        aliases: z
          .record(
            z.string(),
            z.strictObject({
              rpm: posInt('Requests per minute to this alias'),
              tpm: posInt('Tokens per minute to this alias'),
            }),
          )
          .optional()
          .describe('Limits per alias'),
        tools: toolLimitsSchema,
      })
      .optional()
      .describe('Global rate limits (chain entries may set rpm/tpm per deployment, keys per key)'),
    cache: z
      .strictObject({
        type: z.enum(['memory', 'redis']).default('memory').describe('Where responses are cached'),
        ttl: z.number().positive().default(300).describe('Seconds a response stays cached'),
        max_entries: z.number().int().positive().default(1000).describe('Entries kept (memory cache)'),
      })
      .optional()
      .describe('Response cache for identical non-streaming requests'),
    redis_url: z.string().optional().describe('Share limits, cooldowns, cache and budget counters via Redis'),
    otel: z
      .strictObject({
        endpoint: z
          .string()
          .min(1)
          .optional()
          .describe(
            'OTLP/HTTP collector, e.g. http://127.0.0.1:4318 (default: OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT)',
          ),
        protocol: z
          .enum(['http/protobuf', 'http/json'])
          .optional()
          .describe('OTLP encoding (default: OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf)'),
        headers: z
          .record(z.string(), z.string())
          .optional()
          .describe(
            'Headers sent to the collector, e.g. an auth token (OTEL_EXPORTER_OTLP_HEADERS adds to them)',
          ),
        capture_content: flag(
          false,
          'Put the request messages on spans (gen_ai.input.messages); off: no prompt text',
        ),
        max_queue: z
          .number()
          .int()
          .positive()
          .default(2048)
          .describe('Spans held for export; more are dropped and counted'),
      })
      .optional()
      .describe('OpenTelemetry traces over OTLP/HTTP (off unless this section is present)'),
    mcp: z
      .strictObject({
        max_image_bytes: z
          .number()
          .int()
          .positive()
          .default(5 * 1024 * 1024)
          .describe('Largest image one `images` entry may be, bytes'),
        max_files_bytes: z
          .number()
          .int()
          .positive()
          .default(256 * 1024)
          .describe(
            'Text of all `files` of one call included at most, bytes (the rest is cut, and the cut is said)',
          ),
        thread_ttl: z
          .number()
          .positive()
          .default(3600)
          .describe('Seconds a conversation_id thread is kept after its last turn'),
        thread_max_turns: z
          .number()
          .int()
          .positive()
          .default(40)
          .describe('Messages a thread keeps (the oldest go first)'),
        max_threads: z.number().int().positive().default(1000).describe('Threads kept in memory'),
      })
      .prefault({})
      .describe('The MCP tools: attachment caps and conversation threads'),
    allowed_hosts: z
      .array(
        z
          .string()
          .regex(
            /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/,
            'expected a host name or address, optionally with :port (e.g. gateway.internal or localhost:8080)',
          ),
      )
      .optional()
      .describe(
        'Host header values accepted besides localhost, 127.0.0.1, [::1] and the listen address (a name alone: any port)',
      ),
    allowed_origins: z
      .array(
        z
          .string()
          .regex(
            /^(\*|https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?)$/,
            'expected an origin such as http://localhost:3000 (scheme://host[:port], no path), or *',
          ),
      )
      .optional()
      .describe('Web page origins allowed to call the gateway (CORS); others get 403'),
    drop_params: flag(
      false,
      'A request parameter the chosen deployment cannot take: false refuses the request with a 400 naming it; true drops it and lists it in x-agentbox-dropped',
    ),
    max_body_bytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024)
      .describe('Largest request body accepted, bytes'),
    model_labels: z
      .record(z.string().min(1), z.string().min(1))
      .optional()
      .describe(
        'Alias → the label /v1/models shows for it (default: "<model> (<provider>)" of its first deployment)',
      ),
  })
  .describe('The LLM gateway (agentbox litellm)');

/** The whole `config.yml`: other top-level sections belong to other agentbox features. */
export const configFileSchema = z
  .looseObject({ litellm: litellmSchema.optional() })
  .describe('agentbox configuration');

export type RawLitellm = z.output<typeof litellmSchema>;
export type RawProvider = z.output<typeof providerSchema>;
export type RawDeployment = z.output<typeof deploymentSchema>;

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configFileSchema, { target: 'draft-07', io: 'input' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'agentbox config.yml' };
}

/** The exact text of `config.schema.json`, shared by the generator script and the drift test. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
