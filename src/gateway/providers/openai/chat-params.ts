import { clientName, type CanonicalRequest } from '../../canonical.js';
import type { Deployment, ProviderType } from '../../../config/types.js';
import type { ParamSink } from '../../params/sink.js';
import { chatResponseFormat } from '../../params/response-format.js';

type Json = Record<string, unknown>;

/** OpenAI's own Chat Completions takes at most four stop sequences. */
export const OPENAI_MAX_STOP = 4;

/**
 * OpenAI model families and what they refuse, as a table (also shown by `/model/info`). Reasoning
 * models (o-series, gpt-5 except the `-chat` ones) take `max_completion_tokens` and only the default
 * temperature and top_p (1).
 */
export const OPENAI_FAMILY_RULES = [
  {
    family: 'openai-reasoning',
    match: /^(o\d|gpt-5)/i,
    except: /-chat(-|$)/i,
    rules: ['max_completion_tokens instead of max_tokens', 'temperature 1 only', 'top_p 1 only'],
  },
] as const;

/** The family rules for `model` on a provider of `type`, in words. */
export function openaiModelRules(type: ProviderType, model: string): string[] {
  const rules: string[] = [];
  if (type === 'openai') {
    rules.push(`at most ${OPENAI_MAX_STOP} stop sequences`, 'no top_k');
    for (const r of OPENAI_FAMILY_RULES)
      if (r.match.test(model) && !r.except.test(model)) rules.push(...r.rules);
  }
  return rules;
}

/** o-series and gpt-5 models: reasoning effort yes, temperature/top_p other than 1 no. */
export function isOpenAIReasoningModel(model: string): boolean {
  const r = OPENAI_FAMILY_RULES[0];
  return r.match.test(model) && !r.except.test(model);
}

/**
 * The canonical request's sampling, stop, tier and structured-output settings on a Chat body.
 * What the deployment cannot take is reported to `params` under the client's name for it.
 */
export function applyChatParams(
  req: CanonicalRequest,
  body: Json,
  d: Deployment,
  type: ProviderType,
  params: ParamSink,
): void {
  const reasoningModel = type === 'openai' && isOpenAIReasoningModel(d.model);
  if (req.temperature !== undefined) {
    if (reasoningModel && req.temperature !== 1)
      params.unsupported(
        clientName(req, 'temperature'),
        `${d.model} accepts only the default temperature (1)`,
      );
    else body.temperature = req.temperature;
  }
  if (req.topP !== undefined) {
    if (reasoningModel && req.topP !== 1)
      params.unsupported(clientName(req, 'topP'), `${d.model} accepts only the default top_p (1)`);
    else body.top_p = req.topP;
  }
  if (req.topK !== undefined) {
    if (type === 'openai') params.unsupported(clientName(req, 'topK'), 'OpenAI has no top_k sampling');
    else body.top_k = req.topK;
  }
  if (req.stop && req.stop.length > 0) {
    if (type === 'openai' && req.stop.length > OPENAI_MAX_STOP) {
      params.unsupported(clientName(req, 'stop'), `OpenAI takes at most ${OPENAI_MAX_STOP} stop sequences`);
      body.stop = req.stop.slice(0, OPENAI_MAX_STOP);
    } else body.stop = req.stop;
  }
  if (req.serviceTier !== undefined)
    body.service_tier = req.serviceTier === 'standard' ? 'default' : req.serviceTier;
  if (req.responseFormat) body.response_format = chatResponseFormat(req.responseFormat);
}

/** Family rules on a Chat body passed through as the client sent it. Mutates `body`. */
export function applyChatPassthroughRules(
  body: Json,
  d: Deployment,
  type: ProviderType,
  params: ParamSink,
): void {
  if (type !== 'openai' || !isOpenAIReasoningModel(d.model)) return;
  for (const key of ['temperature', 'top_p'] as const) {
    const v = body[key];
    if (v === undefined || v === null || v === 1) continue;
    params.unsupported(key, `${d.model} accepts only the default ${key} (1)`);
    delete body[key];
  }
  if (body.max_tokens !== undefined && body.max_completion_tokens === undefined) {
    body.max_completion_tokens = body.max_tokens;
    delete body.max_tokens;
  }
}
