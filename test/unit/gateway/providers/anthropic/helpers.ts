import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Deployment } from '../../../../../src/config/types.js';
import { specPath } from '../../../../helpers/spec-path.js';

/** Shared by the Anthropic provider and dialect tests: fixtures, a deployment, the published schema. */

export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/anthropic/', import.meta.url));

export interface CaptureFixture {
  source: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** A trimmed real Claude Code request (a fresh copy each call: translators may mutate). */
export function capture(name: 'claude-sayhi' | 'claude-tool' | 'claude-bash' | 'claude-mcp'): CaptureFixture {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as CaptureFixture;
}

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

export function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: 'anthropic/claude-sonnet-4-5',
    alias: 'code',
    index: 0,
    model: 'claude-sonnet-4-5',
    provider: {
      name: 'anthropic',
      type: 'anthropic',
      apiBase: 'https://api.anthropic.com/v1',
      apiKey: 'sk-ant-provider-key',
      keyState: 'set',
    },
    ...over,
  };
}

const SPEC = specPath('anthropic', 'anthropic-openapi-2024-11.subset.json');
let ajv: Ajv | undefined;
let specId = '';

/**
 * A validator for one schema of Anthropic's published OpenAPI document (the 2024-11 subset). It is
 * OpenAPI 3.0 flavoured: `type: null` is dropped and the discriminator keyword ignored so that ajv
 * reads it as plain JSON Schema; `oneOf` still decides.
 */
export function anthropicSchema(name: string): ValidateFunction {
  if (ajv === undefined) {
    const doc = JSON.parse(readFileSync(SPEC, 'utf8'), (k, v) =>
      k === 'type' && v === null ? undefined : v,
    ) as {
      $id: string;
    };
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('byte', true);
    ajv.addSchema(doc);
    specId = doc.$id;
  }
  const v = ajv.getSchema(`${specId}#/components/schemas/${name}`);
  if (v === undefined) throw new Error(`schema ${name} not in the spec`);
  return v;
}
