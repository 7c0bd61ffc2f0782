import { z } from 'zod';

/**
 * The one description of `config.yml`. Keys are snake_case as in the file (and in LiteLLM);
 * `load.ts` turns the parsed result into the camelCase `LoadedConfig`. Every object inside
 * `litellm:` is strict, so a misspelt key is an error rather than a silently ignored setting.
 * `config.schema.json` is generated from here (`npm run gen:schema`). Values reach this schema after
 * `${VAR}` expansion and `coerceScalars` (so `port: "${PORT}"` works), which keeps it free of transforms.
 */

const posNum = (d: string) => z.number().positive().optional().describe(d);
const nonNegNum = (d: string) => z.number().nonnegative().optional().describe(d);
const posInt = (d: string) => z.number().int().positive().optional().describe(d);
const flag = (dflt: boolean, d: string) => z.boolean().default(dflt).describe(d);

export const PROVIDER_TYPES = ['openai', 'anthropic', 'ollama', 'openai_compatible'] as const;

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
    weight: posNum('Relative share among neighbouring entries of equal position'),
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

const virtualKeySchema = z
  .strictObject({
    key: z.string().describe('The secret clients send, usually ${ENV_VAR}'),
    models: z.array(z.string().min(1)).optional().describe('Aliases (globs allowed) this key may use'),
    budget: budgetSchema.optional(),
    rpm: posInt('Requests per minute for this key'),
    tpm: posInt('Tokens per minute for this key'),
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
      })
      .prefault({})
      .describe('Retries, timeouts and cooldowns'),
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
