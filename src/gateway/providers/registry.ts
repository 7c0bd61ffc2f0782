import type { ProviderType } from '../../config/types.js';
import { anthropicAdapter } from './anthropic/adapter.js';
import { azureAdapter } from './azure/adapter.js';
import { bedrockAdapter } from './bedrock/adapter.js';
import { createOpenAIAdapter } from './openai/adapter.js';
import { responsesCodec } from './openai/responses-codec.js';
import type { ProviderAdapter } from './types.js';

/** The only list of provider adapters. An OpenAI-compatible provider is one line here. */
const ADAPTERS: Record<ProviderType, ProviderAdapter> = {
  openai: createOpenAIAdapter({
    type: 'openai',
    defaultApiBase: 'https://api.openai.com/v1',
    needsKey: true,
    responsesWire: responsesCodec,
  }),
  openai_compatible: createOpenAIAdapter({ type: 'openai_compatible', defaultApiBase: '', needsKey: false }),
  ollama: createOpenAIAdapter({
    type: 'ollama',
    defaultApiBase: 'http://127.0.0.1:11434/v1',
    needsKey: false,
  }),
  anthropic: anthropicAdapter,
  azure: azureAdapter,
  bedrock: bedrockAdapter,
};

export function adapterFor(type: ProviderType): ProviderAdapter {
  const a = Object.hasOwn(ADAPTERS, type) ? ADAPTERS[type] : undefined;
  if (!a) throw new Error(`no adapter for provider type ${type}`);
  return a;
}
