import type { ProviderType } from '../../config/types.js';
import { anthropicAdapter } from './anthropic/adapter.js';
import { azureAdapter } from './azure/adapter.js';
import { bedrockAdapter } from './bedrock/adapter.js';
import { anthropicMessagesCodec } from './anthropic/codec.js';
import { classifyAnthropicError } from './anthropic/errors.js';
import { geminiAdapter } from './gemini/adapter.js';
import { createOpenAIAdapter } from './openai/adapter.js';
import { responsesCodec } from './openai/responses-codec.js';
import type { ProviderAdapter } from './types.js';
import { createVertexAdapters, isVertexClaude } from './vertex/adapter.js';

const vertex = createVertexAdapters({ anthropicCodec: anthropicMessagesCodec, classifyAnthropicError });

/**
 * The only list of provider adapters. An OpenAI-compatible provider is one line here. A provider
 * whose wire depends on the model (Vertex: Gemini or Claude) is a function of the model name.
 */
const ADAPTERS: Record<ProviderType, ProviderAdapter | ((model: string) => ProviderAdapter)> = {
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
  gemini: geminiAdapter,
  vertex_ai: (model) => (isVertexClaude(model) ? vertex.claude : vertex.gemini),
};

export function adapterFor(type: ProviderType, model = ''): ProviderAdapter {
  const a = Object.hasOwn(ADAPTERS, type) ? ADAPTERS[type] : undefined;
  if (!a) throw new Error(`no adapter for provider type ${type}`);
  return typeof a === 'function' ? a(model) : a;
}
