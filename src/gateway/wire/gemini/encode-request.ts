import type { CanonicalRequest, ContentBlock, ToolChoice } from '../../canonical.js';
import { GatewayError } from '../../errors.js';
import { effortToBudget } from './mapping.js';
import { argsForGemini, CUSTOM_TOOL_SCHEMA, geminiToolName } from './tool-names.js';
import type {
  GeminiContent,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequest,
  GeminiTool,
} from './types.js';

/**
 * Canonical → a Gemini `generateContent` body. The model travels in the URL, not the body.
 * Mid-conversation system messages join the system instruction (Gemini has one). Thinking text from
 * history is sent back as thought parts with its signature; a signature on a tool call rides on the
 * `functionCall` part, where Gemini requires it. Chat-only parameters Gemini can express are mapped;
 * the others are refused by name rather than dropped.
 */
export function encodeGeminiRequest(req: CanonicalRequest, maxTokensCap?: number): GeminiRequest {
  const names = new Map<string, string>();
  for (const m of req.messages)
    for (const b of m.content)
      if (b.type === 'tool_use') names.set(b.id, geminiToolName(b.name, b.namespace));

  const system: GeminiPart[] = req.system.map((t) => ({ text: t.text }));
  const contents: GeminiContent[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') {
      for (const b of m.content) if (b.type === 'text') system.push({ text: b.text });
      continue;
    }
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts = m.content.flatMap((b) => partsOf(b, names));
    if (role === 'model') placeSignatures(parts);
    if (parts.length === 0) continue;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }

  const body: GeminiRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  if (req.tools && req.tools.length > 0) {
    const tools: GeminiTool = {
      functionDeclarations: req.tools.map((t) => {
        const schema = t.kind === 'custom' ? CUSTOM_TOOL_SCHEMA : t.inputSchema;
        const decl: Record<string, unknown> = { name: geminiToolName(t.name, t.namespace) };
        if (t.description) decl.description = t.description;
        if (schema && Object.keys(schema).length > 0) decl.parametersJsonSchema = schema;
        return decl as { name: string };
      }),
    };
    body.tools = [tools];
    const tc = toolConfig(req.toolChoice, names, req);
    if (tc) body.toolConfig = tc;
  }
  const gc = generationConfig(req, maxTokensCap);
  if (Object.keys(gc).length > 0) body.generationConfig = gc;
  return body;
}

function partsOf(b: ContentBlock, names: Map<string, string>): GeminiPart[] {
  switch (b.type) {
    case 'text':
      return b.text.length > 0 ? [{ text: b.text }] : [];
    case 'image':
      return [imagePart(b.source)];
    case 'thinking': {
      if (b.redacted !== undefined) return [];
      const p: GeminiPart = { text: b.text, thought: true };
      if (b.signature) p.thoughtSignature = b.signature;
      return b.text.length > 0 || b.signature ? [p] : [];
    }
    case 'tool_use': {
      const p: GeminiPart = {
        functionCall: {
          id: b.id,
          name: geminiToolName(b.name, b.namespace),
          args: argsForGemini(b.input, b.kind),
        },
      };
      if (b.signature) p.thoughtSignature = b.signature;
      return [p];
    }
    case 'tool_result': {
      const text =
        typeof b.content === 'string'
          ? b.content
          : b.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      const images = typeof b.content === 'string' ? [] : b.content.filter((c) => c.type === 'image');
      const name = names.get(b.toolUseId) ?? b.toolUseId;
      const response = b.isError ? { error: text } : { output: text };
      return [
        { functionResponse: { id: b.toolUseId, name, response } },
        ...images.map((i) => imagePart(i.source)),
      ];
    }
  }
}

/**
 * Gemini wants a turn's signature on its first function call. A signature that arrived on the
 * thinking block before the call (clients that carry signatures only there) moves onto the call;
 * a first call with none (history from a client or model that never had one) gets the value
 * Google documents for that case, `skip_thought_signature_validator`.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

function placeSignatures(parts: GeminiPart[]): void {
  let first = true;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p.functionCall) continue;
    const prev = parts[i - 1];
    if (prev?.thought && prev.thoughtSignature) {
      if (!p.thoughtSignature || p.thoughtSignature === prev.thoughtSignature) {
        p.thoughtSignature = prev.thoughtSignature;
        delete prev.thoughtSignature;
      }
    }
    if (first && !p.thoughtSignature) p.thoughtSignature = SKIP_SIGNATURE;
    first = false;
  }
}

function imagePart(src: Extract<ContentBlock, { type: 'image' }>['source']): GeminiPart {
  if (src.kind === 'base64') return { inlineData: { mimeType: src.mediaType, data: src.data } };
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(src.url);
  if (m) return { inlineData: { mimeType: m[1], data: m[2] } };
  return { fileData: { mimeType: mimeFromUrl(src.url), fileUri: src.url } };
}

function mimeFromUrl(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  if (ext === 'png') return 'image/png';
  if (ext === 'gif') return 'image/gif';
  if (ext === 'webp') return 'image/webp';
  if (ext === 'pdf') return 'application/pdf';
  return 'image/jpeg';
}

function toolConfig(
  choice: ToolChoice | undefined,
  _names: Map<string, string>,
  req: CanonicalRequest,
): GeminiRequest['toolConfig'] | undefined {
  if (!choice) return undefined;
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool': {
      const known = req.tools?.some((t) => t.name === choice.name && t.namespace === choice.namespace);
      if (!known) throw invalid(`tool_choice names "${choice.name}", which is not among the tools`);
      return {
        functionCallingConfig: {
          mode: 'ANY',
          allowedFunctionNames: [geminiToolName(choice.name, choice.namespace)],
        },
      };
    }
  }
}

/** Chat parameters with a Gemini equivalent; any other Chat-only parameter is refused. */
const EXTRA: Record<string, (v: unknown, gc: GeminiGenerationConfig) => void> = {
  seed: (v, gc) => (gc.seed = v as number),
  presence_penalty: (v, gc) => (gc.presencePenalty = v as number),
  frequency_penalty: (v, gc) => (gc.frequencyPenalty = v as number),
  response_format: (v, gc) => responseFormat(v, gc),
  n: (v) => {
    if (v !== 1) throw invalid('n: Gemini deployments return one choice; send n: 1 or omit it', 'n');
  },
  store: (v) => {
    if (v !== false) throw invalid('store: Gemini deployments keep no stored completions', 'store');
  },
};

function generationConfig(req: CanonicalRequest, cap: number | undefined): GeminiGenerationConfig {
  const gc: GeminiGenerationConfig = {};
  if (req.temperature !== undefined) gc.temperature = req.temperature;
  if (req.topP !== undefined) gc.topP = req.topP;
  if (req.topK !== undefined) gc.topK = req.topK;
  const max =
    req.maxTokens !== undefined && cap !== undefined ? Math.min(req.maxTokens, cap) : (req.maxTokens ?? cap);
  if (max !== undefined) gc.maxOutputTokens = max;
  if (req.stop && req.stop.length > 0) gc.stopSequences = req.stop.slice(0, 5);
  const r = req.reasoning;
  if (r && (r.budgetTokens !== undefined || r.effort !== undefined)) {
    const budget = r.budgetTokens ?? effortToBudget(r.effort!);
    gc.thinkingConfig = { includeThoughts: budget !== 0, thinkingBudget: budget };
  }
  const f = req.responseFormat;
  if (f) {
    gc.responseMimeType = 'application/json';
    if (f.type === 'json_schema') gc.responseJsonSchema = f.schema;
  }
  for (const [k, v] of Object.entries(req.openaiExtra ?? {})) {
    if (v === undefined || v === null) continue;
    const map = EXTRA[k];
    if (!map) throw invalid(`${k}: not supported by Gemini deployments`, k);
    map(v, gc);
  }
  return gc;
}

function responseFormat(v: unknown, gc: GeminiGenerationConfig): void {
  const f = v as { type?: string; json_schema?: { schema?: Record<string, unknown> } };
  if (f?.type === 'text') return;
  if (f?.type === 'json_object') {
    gc.responseMimeType = 'application/json';
    return;
  }
  if (f?.type === 'json_schema') {
    gc.responseMimeType = 'application/json';
    if (f.json_schema?.schema) gc.responseJsonSchema = f.json_schema.schema;
    return;
  }
  throw invalid(`response_format: type ${JSON.stringify(f?.type)} is not supported`, 'response_format');
}

function invalid(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param ? { param } : {});
}
