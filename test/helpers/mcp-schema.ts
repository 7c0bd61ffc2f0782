import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';

/**
 * Validators for the MCP 2025-11-25 JSON Schema (vendored in test/fixtures/specs), and
 * for a tool's own outputSchema as the server announces it in tools/list.
 */
const SPEC = new URL('../fixtures/specs/mcp/schema-2025-11-25.json', import.meta.url);
let ajv: Ajv2020 | undefined;

function instance(): Ajv2020 {
  if (!ajv) {
    ajv = withFormats(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema(JSON.parse(readFileSync(SPEC, 'utf8')) as object, 'mcp');
  }
  return ajv;
}

/** Errors of `value` against `$defs/<name>` of the MCP schema; empty when valid. */
export function mcpErrors(name: string, value: unknown): string[] {
  const v = instance().getSchema(`mcp#/$defs/${name}`);
  if (!v) throw new Error(`MCP schema has no $defs/${name}`);
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Errors of `value` against a JSON Schema taken from tools/list (inputSchema or outputSchema). */
export function jsonSchemaErrors(schema: object, value: unknown): string[] {
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
  const v: ValidateFunction = withFormats(new Ajv2020({ strict: false, allErrors: true })).compile(rest);
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

function withFormats(a: Ajv2020): Ajv2020 {
  const plugin = ((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as (
    a: Ajv2020,
  ) => void;
  plugin(a);
  a.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  return a;
}
