import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CanonicalRequest } from '../../../../../src/gateway/canonical.js';
import type { Deployment, ProviderConfig } from '../../../../../src/config/types.js';

/** Shared by the OpenAI provider and Chat dialect tests. */

export function fixture(name: string): string {
  return readFileSync(
    fileURLToPath(new URL(`../../../../fixtures/openai-chat/${name}`, import.meta.url)),
    'utf8',
  );
}

export function deployment(
  over: Partial<Deployment> = {},
  provider: Partial<ProviderConfig> = {},
): Deployment {
  return {
    id: 'openai/gpt-4o',
    alias: 'default',
    index: 0,
    model: 'gpt-4o',
    provider: {
      name: 'openai',
      type: 'openai',
      apiBase: 'https://api.openai.com/v1',
      apiKey: 'sk-test-provider-key',
      keyState: 'set',
      ...provider,
    },
    ...over,
  };
}

export function request(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'default',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    ...over,
  };
}

export { decodeSse as sseEvents, parseAll } from '../../../../helpers/sse.js';
