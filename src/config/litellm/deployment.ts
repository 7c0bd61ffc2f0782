import { formatPath, type PathSegment } from '../format-issues.js';
import { CLOUD_KEY_TYPE } from '../cloud-schema.js';
import { providerSchema } from '../schema.js';
import type { ConfigIssue } from '../types.js';
import type { IgnoredList } from './ignored.js';
import { LITELLM_PREFIXES, agentboxApiBase, splitModel, writtenPrefix } from './prefixes.js';

/**
 * One `model_list[]` entry → an agentbox provider entry (deduplicated later by content) and a chain
 * entry for the alias `model_name`. What the entry sets that has no agentbox meaning goes to the
 * ignored list; a provider this build cannot serve makes the deployment `unsupported`.
 */

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export interface ConvertedDeployment {
  alias: string;
  /** Where the entry sits in model_list (for messages). */
  index: number;
  /** The provider entry (`type`, `api_base`, `api_key`, `headers`) and the name it would like. */
  provider?: { baseName: string; entry: Obj };
  /** The model name the provider knows (LiteLLM's without its prefix). */
  model: string;
  /** The chain entry without `provider` and `model`. */
  chainEntry: Obj;
  /** LiteLLM's `order` (tier within the group; lower first), default 1. */
  order: number;
  unsupported?: { provider: string; model: string; reason: string };
}

/** Request parameters LiteLLM passes on as defaults (the request's own values win): agentbox `params`. */
const REQUEST_PARAMS = new Set([
  'temperature',
  'top_p',
  'n',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'seed',
  'response_format',
  'reasoning_effort',
  'user',
  'tool_choice',
  'parallel_tool_calls',
  'top_k',
  'logprobs',
  'top_logprobs',
  'thinking',
]);
const CHAIN_NUMBERS: Readonly<Record<string, string>> = {
  rpm: 'rpm',
  tpm: 'tpm',
  weight: 'weight',
  timeout: 'timeout',
  input_cost_per_token: 'input_cost_per_token',
  output_cost_per_token: 'output_cost_per_token',
};
const PRICE_KEYS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
];
const DESCRIPTIVE_MODES = new Set(['chat', 'completion', 'embedding', 'responses']);
const HANDLED_PARAMS = new Set(['model', 'api_key', 'api_base', 'extra_headers', 'organization', 'order']);
const PROVIDER_KEYS = new Set(Object.keys(providerSchema.shape));
const SUPPORTED_TYPES = new Set(providerSchema.shape.type.unwrap().options as readonly string[]);

export function convertDeployment(
  raw: unknown,
  index: number,
  ignored: IgnoredList,
  errors: ConfigIssue[],
): ConvertedDeployment | undefined {
  const at = (...p: PathSegment[]): PathSegment[] => ['model_list', index, ...p];
  const fail = (p: PathSegment[], message: string) => {
    errors.push({ path: formatPath(p), message });
    return undefined;
  };
  if (!isObj(raw)) return fail(at(), 'expected a mapping with model_name and litellm_params');
  const alias = raw.model_name;
  if (typeof alias !== 'string' || !alias.trim()) return fail(at('model_name'), 'required (string)');
  const params = isObj(raw.litellm_params) ? raw.litellm_params : undefined;
  if (!params || typeof params.model !== 'string' || !params.model.trim()) {
    return fail(
      at('litellm_params', 'model'),
      'required: the provider/model LiteLLM calls, e.g. openai/gpt-4o',
    );
  }
  const model = params.model.trim();
  const orderValue = params.order ?? raw.order;
  const order =
    typeof orderValue === 'number' && Number.isInteger(orderValue) && orderValue > 0 ? orderValue : 1;
  if (orderValue !== undefined && order !== orderValue)
    return fail(at('litellm_params', 'order'), 'expected a positive integer');
  const { prefix, name } = splitModel(model);
  const out: ConvertedDeployment = { alias, index, model: name, chainEntry: {}, order };

  for (const key of Object.keys(raw)) {
    if (!['model_name', 'litellm_params', 'model_info', 'rpm', 'tpm', 'order'].includes(key))
      ignored.add(at(key), raw[key], 'not a model_list key agentbox reads');
  }

  const spec = prefix ? LITELLM_PREFIXES[prefix] : undefined;
  const apiBase = typeof params.api_base === 'string' && params.api_base.trim() ? params.api_base : undefined;
  let type = spec?.type;
  if (type === 'openai' && apiBase && !/^https:\/\/api\.openai\.com(\/|$)/.test(apiBase))
    type = 'openai_compatible';
  const why = !spec
    ? writtenPrefix(model)
      ? `agentbox has no provider for the ${writtenPrefix(model)}/ prefix`
      : `LiteLLM infers the provider of "${model}" from its model map; write it as <provider>/${model}`
    : model.includes('*')
      ? 'a wildcard model (the requested name passed on) is not supported; list the models, or ask agentbox for <provider>/<model>'
      : !SUPPORTED_TYPES.has(type!)
        ? `agentbox has no ${type} provider type in this build`
        : !apiBase && !spec.apiBase && !spec.ownEndpoint
          ? `${prefix}/ needs api_base`
          : undefined;
  if (why) {
    const written = prefix ?? writtenPrefix(model);
    const bare = written && model.startsWith(`${written}/`) ? model.slice(written.length + 1) : model;
    out.model = bare;
    out.unsupported = { provider: written ?? 'unresolved', model: bare, reason: why };
    return out;
  }

  const entry: Obj = { type };
  const base = apiBase ? agentboxApiBase(spec!, apiBase) : spec!.apiBase;
  if (base !== undefined) entry.api_base = base;
  if (params.api_key !== undefined) entry.api_key = params.api_key;
  else if (spec!.keyEnv) entry.api_key = `\${${spec!.keyEnv}}`;
  else if (spec!.keyless && prefix === 'hosted_vllm') entry.api_key = '${HOSTED_VLLM_API_KEY:-fake-api-key}';
  const headers: Obj = {};
  if (isObj(params.extra_headers)) Object.assign(headers, params.extra_headers);
  else if (params.extra_headers !== undefined)
    return fail(at('litellm_params', 'extra_headers'), 'expected a mapping of header names to values');
  if (typeof params.organization === 'string') headers['OpenAI-Organization'] = params.organization;
  else if (params.organization !== undefined)
    ignored.add(
      at('litellm_params', 'organization'),
      params.organization,
      'one organization per deployment is supported',
    );
  if (Object.keys(headers).length) entry.headers = headers;
  out.provider = { baseName: prefix!, entry };

  const defaults: Obj = {};
  for (const [key, value] of Object.entries(params)) {
    if (HANDLED_PARAMS.has(key)) continue;
    if (Object.hasOwn(CHAIN_NUMBERS, key)) out.chainEntry[CHAIN_NUMBERS[key]] = value;
    else if (REQUEST_PARAMS.has(key)) defaults[key] = value;
    else if (key === 'aws_region_name' && type === 'bedrock') entry.region = value;
    else if (PROVIDER_KEYS.has(key) && key !== 'type') {
      const owner = keyOwner(key);
      if (owner && owner !== type)
        ignored.add(
          at('litellm_params', key),
          value,
          `only ${owner} providers take ${key} (this one is ${type})`,
        );
      else entry[key] = value;
    } else if (key === 'stream_timeout')
      ignored.add(
        at('litellm_params', key),
        value,
        'agentbox has one per-attempt timeout (timeout) for streams and non-streams',
      );
    else ignored.add(at('litellm_params', key), value, 'not a parameter agentbox passes on');
  }
  for (const key of ['rpm', 'tpm'] as const)
    if (raw[key] !== undefined && out.chainEntry[key] === undefined) out.chainEntry[key] = raw[key];
  if (Object.keys(defaults).length) out.chainEntry.params = defaults;
  convertModelInfo(raw.model_info, at('model_info'), out.chainEntry, ignored);
  return out;
}

/** The one provider type a type-specific key belongs to (api_version: azure, …); undefined for the rest. */
function keyOwner(key: string): string | undefined {
  if (Object.hasOwn(CLOUD_KEY_TYPE, key)) return CLOUD_KEY_TYPE[key as keyof typeof CLOUD_KEY_TYPE];
  return key.startsWith('vertex_') ? 'vertex_ai' : undefined;
}

function convertModelInfo(info: unknown, path: PathSegment[], chainEntry: Obj, ignored: IgnoredList): void {
  if (info === undefined || info === null) return;
  if (!isObj(info)) return ignored.add(path, info, 'expected a mapping');
  for (const [key, value] of Object.entries(info)) {
    if (PRICE_KEYS.includes(key)) chainEntry[key] = value;
    else if (key === 'max_input_tokens') chainEntry.context_window = value;
    else if (key === 'max_tokens') {
      if (info.max_input_tokens === undefined) chainEntry.context_window = value;
    } else if (key === 'mode' && typeof value === 'string' && DESCRIPTIVE_MODES.has(value)) continue;
    else if (key === 'mode')
      ignored.add([...path, key], value, 'agentbox serves chat, responses, messages and embeddings only');
    else ignored.add([...path, key], value, 'agentbox does not read this model_info field');
  }
}
