import { hasPart, hasWebSearchTool, isObj, list, type RequestTraits } from '../request-traits.js';

/**
 * Each dialect's reading of its own body into RequestTraits. Shapes: Chat `image_url` parts,
 * `response_format.type: json_schema`, `reasoning_effort`; Responses `input_image` parts,
 * `text.format.type: json_schema`, `reasoning.effort`; Messages `image` blocks,
 * `output_format.type: json_schema`, `thinking.type: enabled`.
 */
type Body = Record<string, unknown>;

const IMAGE_CHAT = new Set(['image_url']);
const IMAGE_RESPONSES = new Set(['input_image']);
const IMAGE_ANTHROPIC = new Set(['image']);
/** Claude Code sends its titles and summaries to its small, fast model (Haiku) without tools. */
const SMALL_MODEL = /haiku/i;

const effortSet = (v: unknown): boolean => typeof v === 'string' && v !== '' && v !== 'none';

export function chatTraits(body: Body): RequestTraits {
  const format = isObj(body.response_format) ? body.response_format : {};
  return {
    images: hasPart(body.messages, IMAGE_CHAT),
    tools: list(body.tools).length > 0 || list(body.functions).length > 0,
    jsonSchema: format.type === 'json_schema',
    reasoning:
      effortSet(body.reasoning_effort) || (isObj(body.reasoning) && effortSet(body.reasoning.effort)),
    webSearch: hasWebSearchTool(body.tools) || isObj(body.web_search_options),
    background: false,
  };
}

export function responsesTraits(body: Body): RequestTraits {
  const text = isObj(body.text) ? body.text : {};
  const format = isObj(text.format) ? text.format : {};
  const input = typeof body.input === 'string' ? [] : body.input;
  return {
    images: hasPart(input, IMAGE_RESPONSES),
    tools: list(body.tools).length > 0,
    jsonSchema: format.type === 'json_schema',
    reasoning: isObj(body.reasoning) && effortSet(body.reasoning.effort),
    webSearch: hasWebSearchTool(body.tools),
    background: false,
  };
}

export function messagesTraits(body: Body): RequestTraits {
  const format = isObj(body.output_format) ? body.output_format : {};
  const tools = list(body.tools).length > 0;
  return {
    images: hasPart(body.messages, IMAGE_ANTHROPIC),
    tools,
    jsonSchema: format.type === 'json_schema',
    reasoning: isObj(body.thinking) && body.thinking.type === 'enabled',
    webSearch: hasWebSearchTool(body.tools),
    background: !tools && typeof body.model === 'string' && SMALL_MODEL.test(body.model),
  };
}

/**
 * Gemini `generateContent`: `inlineData`/`fileData` image parts, `functionDeclarations` tools,
 * `generationConfig.responseSchema`, `thinkingConfig`, and `googleSearch` tools.
 */
export function geminiTraits(body: Body): RequestTraits {
  const gen = isObj(body.generationConfig) ? body.generationConfig : {};
  const thinking = isObj(gen.thinkingConfig) ? gen.thinkingConfig : undefined;
  const tools = list(body.tools).filter(isObj);
  const image = (p: unknown): boolean => {
    if (!isObj(p)) return false;
    const data = isObj(p.inlineData) ? p.inlineData : isObj(p.fileData) ? p.fileData : undefined;
    return typeof data?.mimeType === 'string' && data.mimeType.startsWith('image/');
  };
  return {
    images: list(body.contents).some((c) => isObj(c) && list(c.parts).some(image)),
    tools: tools.some((t) => list(t.functionDeclarations).length > 0),
    jsonSchema: isObj(gen.responseSchema) || isObj(gen.responseJsonSchema),
    reasoning: thinking !== undefined && thinking.thinkingBudget !== 0,
    webSearch: tools.some((t) => isObj(t.googleSearch) || isObj(t.googleSearchRetrieval)),
    background: false,
  };
}
