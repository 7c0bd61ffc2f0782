import type { ResponseFormat } from '../canonical.js';
import { GatewayError } from '../errors.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

/**
 * A structured-output request in any of its wire shapes → the canonical one. `flat` is the shape of
 * Responses `text.format` and Anthropic's `output_config.format` (`{type, name?, schema}`); Chat
 * `response_format` nests the schema under `json_schema`. `text` (plain output) is no format.
 */
export function decodeResponseFormat(
  raw: unknown,
  param: string,
  nested: boolean,
): ResponseFormat | undefined {
  if (raw == null) return undefined;
  if (!isObject(raw)) throw invalid(`${param} must be an object`, param);
  if (raw.type === 'text') return undefined;
  if (raw.type === 'json_object') return { type: 'json_object' };
  if (raw.type !== 'json_schema')
    throw invalid(`${param}.type must be "text", "json_object" or "json_schema"`, `${param}.type`);
  const where = nested ? `${param}.json_schema` : param;
  const spec = nested ? raw.json_schema : raw;
  if (!isObject(spec)) throw invalid(`${where} must be an object`, where);
  if (!isObject(spec.schema))
    throw invalid(`${where}.schema must be a JSON Schema object`, `${where}.schema`);
  const out: ResponseFormat = {
    type: 'json_schema',
    name: typeof spec.name === 'string' && spec.name.length > 0 ? spec.name : 'response',
    schema: spec.schema,
  };
  if (typeof spec.strict === 'boolean') out.strict = spec.strict;
  if (typeof spec.description === 'string') out.description = spec.description;
  return out;
}

/** The canonical format as Chat `response_format`. */
export function chatResponseFormat(f: ResponseFormat): Json {
  if (f.type === 'json_object') return { type: 'json_object' };
  const spec: Json = { name: f.name, schema: f.schema };
  if (f.strict !== undefined) spec.strict = f.strict;
  if (f.description !== undefined) spec.description = f.description;
  return { type: 'json_schema', json_schema: spec };
}

/** The canonical format as Responses `text.format`. */
export function responsesTextFormat(f: ResponseFormat): Json {
  if (f.type === 'json_object') return { type: 'json_object' };
  const out: Json = { type: 'json_schema', name: f.name, schema: f.schema };
  if (f.strict !== undefined) out.strict = f.strict;
  if (f.description !== undefined) out.description = f.description;
  return out;
}
