import { readFileSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { specPath } from './spec-path.js';

/**
 * Validate a value against a schema of OpenAI's published OpenAPI document
 * (test/fixtures/specs/openai/openai-schemas.json, `components.schemas`), e.g.
 * `validateOpenAI('CreateChatCompletionStreamResponse', chunk)`. Returns the ajv error list as
 * readable strings, empty when valid.
 *
 * The document is OpenAPI 3.1 with OpenAPI 3.0 leftovers; at load time `nullable: true` becomes
 * a null-allowing schema and vendor keywords (`x-*`, `discriminator`, `example`) are dropped.
 */

const SPEC = process.env.OPENAI_SCHEMAS ?? specPath('openai', 'openai-schemas.json');
const ID = 'openai-schemas.json';

// ajv-formats is CommonJS: its default export may arrive wrapped, as seen from NodeNext ESM.
type AddFormats = (ajv: Ajv2019) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

type Json = Record<string, unknown>;
let ajv: Ajv2019 | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): Ajv2019 {
  if (ajv) return ajv;
  const doc = JSON.parse(readFileSync(SPEC, 'utf8')) as { components: { schemas: Json } };
  const schemas: Json = {};
  for (const [name, s] of Object.entries(doc.components.schemas)) schemas[name] = normalize(s);
  const a = new Ajv2019({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(a);
  a.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  a.addFormat('float', { type: 'number', validate: () => true });
  a.addSchema({ $id: ID, components: { schemas } });
  ajv = a;
  return a;
}

/** Schema keywords whose value is a map of name → sub-schema (its keys are not keywords). */
const MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k.startsWith('x-') || k === 'discriminator' || k === 'example' || k === 'nullable') continue;
    if (MAPS.has(k) && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, normalize(s)]));
    } else out[k] = normalize(v);
  }
  if ((node as Json).nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

export function validateOpenAI(schemaName: string, value: unknown): string[] {
  let v = compiled.get(schemaName);
  if (v === undefined) {
    const got = load().getSchema(`${ID}#/components/schemas/${schemaName}`);
    if (got === undefined) throw new Error(`no schema ${schemaName} in ${SPEC}`);
    compiled.set(schemaName, got);
    v = got;
  }
  if (v(value)) return [];
  return (v.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
