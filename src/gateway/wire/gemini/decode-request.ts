import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentBlock,
  ToolChoice,
} from '../../canonical.js';
import { GatewayError } from '../../errors.js';
import { levelToEffort } from './mapping.js';
import type { GeminiContent, GeminiGenerationConfig, GeminiPart, GeminiRequest } from './types.js';

/**
 * A Gemini `generateContent` body (model and stream from the URL) → canonical, for translation to
 * another format. What has no canonical meaning (Google Search grounding, code execution, safety
 * settings, cached content, …) is refused naming the field, never dropped: the client can see
 * that its model is not served by Gemini here.
 */
export function decodeGeminiRequest(
  body: Record<string, unknown>,
  model: string,
  stream: boolean,
): CanonicalRequest {
  const b = body as GeminiRequest;
  for (const k of Object.keys(b)) if (!TOP.has(k)) throw notHere(k);
  const req: CanonicalRequest = { model, system: [], messages: [], stream };
  for (const p of b.systemInstruction?.parts ?? []) {
    if (typeof p.text === 'string') req.system.push({ type: 'text', text: p.text });
    else throw notHere('systemInstruction.parts (only text)');
  }
  req.messages = decodeContents(b.contents);
  const tools = decodeTools(b.tools);
  if (tools.length > 0) req.tools = tools;
  const choice = decodeToolChoice(b.toolConfig);
  if (choice) req.toolChoice = choice;
  if (b.generationConfig) decodeGenerationConfig(b.generationConfig, req);
  return req;
}

const TOP = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'model']);

function decodeContents(contents: GeminiContent[]): CanonicalMessage[] {
  const out: CanonicalMessage[] = [];
  const pending = new Map<string, string[]>(); // function name → ids of calls still unanswered
  contents.forEach((c, ci) => {
    const role = c.role === 'model' ? 'assistant' : 'user';
    const content: ContentBlock[] = [];
    (c.parts ?? []).forEach((p, pi) => {
      const at = `contents[${ci}].parts[${pi}]`;
      const block = decodePart(p, at, () => `call_${ci}_${pi}`, pending);
      if (block) content.push(block);
    });
    if (content.length > 0) out.push({ role, content });
  });
  return out;
}

function decodePart(
  p: GeminiPart,
  at: string,
  makeId: () => string,
  pending: Map<string, string[]>,
): ContentBlock | undefined {
  if (!p || typeof p !== 'object') throw invalid(`${at} must be an object`, at);
  if (p.functionCall) {
    const id = p.functionCall.id || makeId();
    const list = pending.get(p.functionCall.name) ?? [];
    list.push(id);
    pending.set(p.functionCall.name, list);
    const b: ContentBlock = {
      type: 'tool_use',
      id,
      name: p.functionCall.name,
      input: p.functionCall.args ?? {},
    };
    if (p.thoughtSignature) b.signature = p.thoughtSignature;
    return b;
  }
  if (p.functionResponse) {
    const fr = p.functionResponse;
    const list = pending.get(fr.name);
    let id = fr.id;
    if (id) {
      if (list)
        pending.set(
          fr.name,
          list.filter((x) => x !== id),
        );
    } else id = list?.shift() ?? makeId();
    const r = fr.response ?? {};
    const isError = r.error !== undefined && r.output === undefined;
    const value = isError ? r.error : (r.output ?? r.content ?? r.result);
    const text = typeof value === 'string' ? value : JSON.stringify(value === undefined ? r : value);
    const b: ContentBlock = { type: 'tool_result', toolUseId: id, content: text };
    if (isError) b.isError = true;
    return b;
  }
  if (typeof p.text === 'string') {
    if (p.thought === true || (p.thoughtSignature && p.text === '')) {
      const t: ContentBlock = { type: 'thinking', text: p.text };
      if (p.thoughtSignature) t.signature = p.thoughtSignature;
      return t;
    }
    return { type: 'text', text: p.text };
  }
  if (p.inlineData) {
    if (!p.inlineData.mimeType?.startsWith('image/'))
      throw notHere(`${at}.inlineData with mimeType ${p.inlineData.mimeType}`);
    return {
      type: 'image',
      source: { kind: 'base64', mediaType: p.inlineData.mimeType, data: p.inlineData.data },
    };
  }
  if (p.fileData) {
    if (p.fileData.mimeType && !p.fileData.mimeType.startsWith('image/'))
      throw notHere(`${at}.fileData with mimeType ${p.fileData.mimeType}`);
    return { type: 'image', source: { kind: 'url', url: p.fileData.fileUri } };
  }
  const kind = Object.keys(p).find((k) => k !== 'thoughtSignature' && k !== 'thought');
  if (kind === undefined) return undefined;
  throw notHere(`${at}.${kind}`);
}

function decodeTools(tools: GeminiRequest['tools']): CanonicalTool[] {
  const out: CanonicalTool[] = [];
  (tools ?? []).forEach((t, i) => {
    for (const k of Object.keys(t)) if (k !== 'functionDeclarations') throw notHere(`tools[${i}].${k}`);
    for (const f of t.functionDeclarations ?? []) {
      if (typeof f?.name !== 'string' || f.name === '')
        throw invalid(`tools[${i}].functionDeclarations: every declaration needs a name`, `tools[${i}]`);
      const tool: CanonicalTool = { name: f.name, kind: 'function' };
      if (f.description) tool.description = f.description;
      const schema = f.parametersJsonSchema ?? (f.parameters ? lowerTypes(f.parameters) : undefined);
      tool.inputSchema = (schema as Record<string, unknown>) ?? { type: 'object', properties: {} };
      out.push(tool);
    }
  });
  return out;
}

/** Gemini's OpenAPI-subset schemas spell types in capitals (`OBJECT`, `STRING`); JSON Schema does not. */
function lowerTypes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerTypes);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    out[k] = k === 'type' && typeof x === 'string' ? x.toLowerCase() : lowerTypes(x);
  return out;
}

function decodeToolChoice(tc: GeminiRequest['toolConfig']): ToolChoice | undefined {
  const fc = tc?.functionCallingConfig;
  if (!fc?.mode) return undefined;
  switch (fc.mode) {
    case 'AUTO':
    case 'VALIDATED':
      return { type: 'auto' };
    case 'NONE':
      return { type: 'none' };
    case 'ANY': {
      const names = fc.allowedFunctionNames ?? [];
      if (names.length === 1) return { type: 'tool', name: names[0] };
      if (names.length > 1)
        throw notHere('toolConfig.functionCallingConfig.allowedFunctionNames with more than one name');
      return { type: 'required' };
    }
    default:
      throw invalid(
        `toolConfig.functionCallingConfig.mode: unknown mode ${JSON.stringify(fc.mode)}`,
        'toolConfig',
      );
  }
}

const GEN_KNOWN = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'candidateCount',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseModalities',
]);

function decodeGenerationConfig(gc: GeminiGenerationConfig, req: CanonicalRequest): void {
  for (const k of Object.keys(gc)) if (!GEN_KNOWN.has(k)) throw notHere(`generationConfig.${k}`);
  if (typeof gc.temperature === 'number') req.temperature = gc.temperature;
  if (typeof gc.topP === 'number') req.topP = gc.topP;
  if (typeof gc.topK === 'number') req.topK = gc.topK;
  if (typeof gc.maxOutputTokens === 'number') req.maxTokens = gc.maxOutputTokens;
  if (Array.isArray(gc.stopSequences)) req.stop = gc.stopSequences.filter((s) => typeof s === 'string');
  if (gc.candidateCount !== undefined && gc.candidateCount !== 1)
    throw notHere('generationConfig.candidateCount other than 1');
  const mods = gc.responseModalities as unknown;
  if (Array.isArray(mods) && mods.some((m) => m !== 'TEXT'))
    throw notHere('generationConfig.responseModalities other than TEXT');
  const extra: Record<string, unknown> = {};
  if (typeof gc.seed === 'number') extra.seed = gc.seed;
  if (typeof gc.presencePenalty === 'number') extra.presence_penalty = gc.presencePenalty;
  if (typeof gc.frequencyPenalty === 'number') extra.frequency_penalty = gc.frequencyPenalty;
  const schema = gc.responseJsonSchema ?? (gc.responseSchema ? lowerTypes(gc.responseSchema) : undefined);
  if (gc.responseMimeType === 'application/json') {
    req.responseFormat = schema
      ? { type: 'json_schema', name: 'response', schema: schema as Record<string, unknown> }
      : { type: 'json_object' };
  } else if (gc.responseMimeType !== undefined && gc.responseMimeType !== 'text/plain') {
    throw notHere(`generationConfig.responseMimeType ${gc.responseMimeType}`);
  } else if (schema)
    throw invalid(
      'generationConfig.responseSchema needs responseMimeType application/json',
      'generationConfig',
    );
  if (Object.keys(extra).length > 0) req.openaiExtra = extra;
  const t = gc.thinkingConfig;
  if (t) {
    if (typeof t.thinkingBudget === 'number' && t.thinkingBudget > 0)
      req.reasoning = { budgetTokens: t.thinkingBudget };
    else if (typeof t.thinkingLevel === 'string') {
      const effort = levelToEffort(t.thinkingLevel);
      if (!effort)
        throw invalid(
          `generationConfig.thinkingConfig.thinkingLevel: unknown level ${t.thinkingLevel}`,
          'generationConfig',
        );
      req.reasoning = { effort };
    } else if (t.thinkingBudget === -1 || (t.thinkingBudget === undefined && t.includeThoughts === true))
      req.reasoning = { effort: 'medium' };
  }
}

function invalid(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param ? { param } : {});
}

/** A Gemini feature the deployment serving this request (another format) cannot express. */
function notHere(field: string): GatewayError {
  return invalid(`${field}: not supported when the model is served by a non-Gemini deployment`, field);
}
