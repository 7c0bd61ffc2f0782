import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../../src/config/schema.js';
import { defaultConfigTemplate } from '../../../src/config/init-template.js';
import { parseYaml } from '../../../src/config/yaml-text.js';

const root = new URL('../../../', import.meta.url);
const yamlValue = (text: string): unknown => {
  const r = parseYaml(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};

describe('config.schema.json', () => {
  it('is what `npm run gen:schema` generates from the zod schema (no drift)', () => {
    const committed = readFileSync(new URL('config.schema.json', root), 'utf8');
    expect(committed, 'config.schema.json is stale: run `npm run gen:schema`').toBe(configJsonSchemaText());
  });

  const validate = new Ajv({ strict: false, allErrors: true }).compile(configJsonSchema());

  it('validates the CONTRACT example and the config init template, other sections included', () => {
    const contract = readFileSync(new URL('test/fixtures/config/contract-example.yml.txt', root), 'utf8');
    expect(validate(yamlValue(contract)), JSON.stringify(validate.errors)).toBe(true);
    expect(
      validate(yamlValue(defaultConfigTemplate({ OPENAI_API_KEY: 'k' }, 'x'))),
      JSON.stringify(validate.errors),
    ).toBe(true);
  });

  it('rejects unknown keys inside litellm and wrong types', () => {
    expect(validate({ litellm: { prot: 4000 } })).toBe(false);
    expect(validate({ litellm: { providers: { openai: { api_base: 'x', apikey: 'k' } } } })).toBe(false);
    expect(validate({ litellm: { models: { a: [{ provider: 'openai' }] } } })).toBe(false);
    expect(validate({ litellm: { models: { a: [] } } })).toBe(false);
    expect(validate({ litellm: { port: 70000 } })).toBe(false);
  });

  it('documents fields and defaults for editors', () => {
    const s = configJsonSchema() as any;
    const router = s.properties.litellm.properties.router.properties;
    expect(router.num_retries).toMatchObject({ default: 3, type: 'integer' });
    expect(router.timeout.description).toMatch(/seconds/);
    expect(s.properties.litellm.properties.max_body_bytes.default).toBe(32 * 1024 * 1024);
    expect(s.properties.litellm.additionalProperties).toBe(false);
  });
});
