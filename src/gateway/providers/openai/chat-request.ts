import type { CanonicalRequest, CanonicalTool, ToolChoice } from '../../canonical.js';
import type { Deployment, ProviderType } from '../../../config/types.js';
import { buildChatMessages } from './chat-messages.js';
import { customToolParameters, flatToolName } from './tool-names.js';
import { strictParamSink, type ParamSink } from '../../params/sink.js';
import { applyChatParams } from './chat-params.js';
import { applyChatReasoning } from './chat-reasoning.js';

/** Canonical request → Chat Completions body for one deployment (`model` is the deployment's). */
export function buildChatBody(
  req: CanonicalRequest,
  d: Deployment,
  type: ProviderType,
  params: ParamSink = strictParamSink(d),
): Record<string, unknown> {
  const body: Record<string, unknown> = { model: d.model, messages: buildChatMessages(req) };
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map(chatTool);
    // OpenAI rejects tool_choice / parallel_tool_calls without tools.
    if (req.toolChoice) body.tool_choice = chatToolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  applyChatParams(req, body, d, type, params);
  if (req.maxTokens !== undefined) body[maxTokensKey(type)] = req.maxTokens;
  applyChatReasoning(req, body, d, type, params);
  if (req.user !== undefined) body.user = req.user;
  if (req.openaiExtra) mergeUnder(body, req.openaiExtra);
  // Chat returns top_logprobs only with logprobs on (Responses asks with top_logprobs alone).
  if (body.top_logprobs !== undefined && body.logprobs === undefined) body.logprobs = true;
  body.stream = req.stream;
  // Always ask for usage: the gateway meters every stream. A client that did not ask for the
  // usage chunk does not get it (the Chat dialect's encoder drops it).
  if (req.stream) body.stream_options = { include_usage: true };
  applyDeploymentDefaults(body, d);
  return body;
}

/** Which max-tokens field this provider type takes. */
export function maxTokensKey(type: ProviderType): 'max_completion_tokens' | 'max_tokens' {
  return type === 'openai' ? 'max_completion_tokens' : 'max_tokens';
}

/** Merge the deployment's `params` under the body (the body wins), then clamp max tokens. */
export function applyDeploymentDefaults(body: Record<string, unknown>, d: Deployment): void {
  if (d.params) {
    const hasMax = body.max_tokens !== undefined || body.max_completion_tokens !== undefined;
    for (const [k, v] of Object.entries(d.params)) {
      if (body[k] !== undefined) continue;
      // One max-tokens slot: a default under the other name must not add a second field.
      if (hasMax && (k === 'max_tokens' || k === 'max_completion_tokens')) continue;
      body[k] = v;
    }
  }
  if (d.maxTokens !== undefined) {
    for (const k of ['max_tokens', 'max_completion_tokens'] as const) {
      const v = body[k];
      if (typeof v === 'number' && v > d.maxTokens) body[k] = d.maxTokens;
    }
  }
}

function mergeUnder(body: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(extra)) if (body[k] === undefined) body[k] = v;
}

function chatTool(t: CanonicalTool): unknown {
  const fn: Record<string, unknown> = { name: flatToolName(t.name, t.namespace) };
  if (t.description !== undefined) fn.description = t.description;
  fn.parameters =
    t.kind === 'custom'
      ? customToolParameters()
      : stripSchemaKeyword(t.inputSchema ?? { type: 'object', properties: {} });
  return { type: 'function', function: fn };
}

function chatToolChoice(c: ToolChoice): unknown {
  if (c.type === 'tool') return { type: 'function', function: { name: flatToolName(c.name, c.namespace) } };
  return c.type;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Remove `$schema` from a tool's JSON Schema and its sub-schemas (some upstreams reject it).
 * Copies only the objects that change; property names are never mistaken for keywords.
 */
export function stripSchemaKeyword(schema: Record<string, unknown>): Record<string, unknown> {
  return strip(schema) as Record<string, unknown>;
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (!v || typeof v !== 'object') continue;
      const s = strip(v);
      if (s !== v) (copy ??= node.slice())[i] = s;
    }
    return copy ?? node;
  }
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined = '$schema' in obj ? { ...obj } : undefined;
  if (copy) delete copy.$schema;
  // Keys, not entries: schemas are walked on every translated request with tools.
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (k === '$schema' || !v || typeof v !== 'object') continue;
    const s = SCHEMA_MAPS.has(k) && !Array.isArray(v) ? stripMap(v as Record<string, unknown>) : strip(v);
    if (s !== v) (copy ??= { ...obj })[k] = s;
  }
  return copy ?? obj;
}

function stripMap(map: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(map)) {
    const v = map[k];
    const s = strip(v);
    if (s !== v) (copy ??= { ...map })[k] = s;
  }
  return copy ?? map;
}
