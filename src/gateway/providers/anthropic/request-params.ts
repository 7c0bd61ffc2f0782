import { clientName, type CanonicalRequest } from '../../canonical.js';
import type { ParamSink } from '../../params/sink.js';

type Json = Record<string, unknown>;

/** OpenAI request parameters Anthropic has no counterpart for, with the reason a refusal gives. */
const NO_COUNTERPART: Record<string, string> = {
  n: 'Anthropic Messages returns a single choice',
  logprobs: 'Anthropic Messages has no log probabilities',
  top_logprobs: 'Anthropic Messages has no log probabilities',
  seed: 'Anthropic Messages has no sampling seed',
  presence_penalty: 'Anthropic Messages has no repetition penalties',
  frequency_penalty: 'Anthropic Messages has no repetition penalties',
  logit_bias: 'Anthropic Messages has no token biases',
  modalities: 'Anthropic Messages answers in text only',
  audio: 'Anthropic Messages answers in text only',
  prediction: 'Anthropic Messages has no predicted outputs',
  store: 'Anthropic does not store completions',
  metadata: 'Anthropic metadata holds only a user id (send `user`)',
  verbosity: 'Anthropic Messages has no verbosity setting',
  web_search_options: 'OpenAI web search does not run at Anthropic',
  functions: 'legacy functions are not translated; send tools',
  function_call: 'legacy function_call is not translated; send tool_choice',
};

/** Defaults, and hints for OpenAI's own cache and abuse checks: leaving them out changes nothing. */
function asksNothing(key: string, v: unknown): boolean {
  switch (key) {
    case 'n':
      return v === 1;
    case 'logprobs':
    case 'store':
      return v === false;
    case 'presence_penalty':
    case 'frequency_penalty':
      return v === 0;
    case 'modalities':
      return Array.isArray(v) && v.length === 1 && v[0] === 'text';
    case 'metadata':
    case 'logit_bias':
      return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
    // Routing and identity hints of OpenAI's own prompt cache and abuse checks: no effect on the answer.
    case 'prompt_cache_key':
    case 'prompt_cache_retention':
    case 'safety_identifier':
      return true;
    default:
      return false;
  }
}

const TIERS: Record<string, string> = { auto: 'auto', standard: 'standard_only' };

/**
 * The request parameters besides conversation, tools and thinking: sampling, stop sequences, the
 * user id, the service tier and the OpenAI-only extras. What Anthropic cannot take is reported to
 * `params` under the client's name for it; the rest is written into `body`.
 */
export function applyAnthropicParams(
  req: CanonicalRequest,
  body: Json,
  thinking: boolean,
  params: ParamSink,
): void {
  sampling(req, body, thinking, params);
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop !== undefined) {
    const stop = req.stop.filter((s) => s.trim().length > 0);
    if (stop.length < req.stop.length)
      params.unsupported(clientName(req, 'stop'), 'Anthropic refuses whitespace-only stop sequences');
    if (stop.length > 0) body.stop_sequences = stop;
  }
  const user =
    req.user ??
    (typeof req.openaiExtra?.safety_identifier === 'string' ? req.openaiExtra.safety_identifier : undefined);
  if (user !== undefined) body.metadata = { user_id: user };
  if (req.serviceTier !== undefined) {
    const tier = TIERS[req.serviceTier];
    if (tier !== undefined) body.service_tier = tier;
    else
      params.unsupported(
        clientName(req, 'serviceTier'),
        `Anthropic has no "${req.serviceTier}" tier (only auto and standard)`,
      );
  }
  for (const [k, v] of Object.entries(req.openaiExtra ?? {})) {
    if (asksNothing(k, v)) continue;
    params.unsupported(k, NO_COUNTERPART[k] ?? 'Anthropic Messages has no such parameter');
  }
}

/**
 * Anthropic's temperature runs 0..1 (OpenAI's to 2). Extended thinking takes only temperature 1 and
 * a top_p of at least 0.95.
 */
function sampling(req: CanonicalRequest, body: Json, thinking: boolean, params: ParamSink): void {
  const t = req.temperature;
  if (t !== undefined) {
    if (thinking && t !== 1)
      params.unsupported(clientName(req, 'temperature'), 'extended thinking requires temperature 1');
    else if (t < 0 || t > 1)
      params.unsupported(clientName(req, 'temperature'), 'Anthropic accepts a temperature from 0 to 1');
    else body.temperature = t;
  }
  const p = req.topP;
  if (p !== undefined) {
    if (thinking && p < 0.95)
      params.unsupported(clientName(req, 'topP'), 'extended thinking requires top_p of at least 0.95');
    else body.top_p = p;
  }
}
