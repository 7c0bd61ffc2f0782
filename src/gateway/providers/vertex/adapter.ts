import type { Deployment } from '../../../config/types.js';
import { createGeminiCodec, generateAction } from '../../wire/gemini/codec.js';
import { classifyGeminiError } from '../../wire/gemini/errors.js';
import { GatewayError } from '../../errors.js';
import type { ProviderAdapter, WireCodec } from '../types.js';
import { createTokenSource, type TokenSource } from './token.js';

/** The Messages body field Claude on Vertex requires in place of the `anthropic-version` header. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export interface VertexDeps {
  /** The Anthropic Messages wire (passed in: providers do not import each other). */
  anthropicCodec: WireCodec;
  /** Anthropic's classifier for Claude's error bodies. */
  classifyAnthropicError: ProviderAdapter['classifyError'];
  tokens?: TokenSource;
}

/** `/projects/{p}/locations/{l}/publishers/{publisher}/models/{model}`; `@` in versions stays as is. */
function modelPath(d: Deployment, publisher: string): string {
  const v = d.provider.vertex;
  if (!v) throw new GatewayError('api_error', `provider ${d.provider.name} has no vertex project/location`);
  const model = encodeURIComponent(d.model.replace(/^models\//, '')).replace(/%40/g, '@');
  return `/projects/${encodeURIComponent(v.project)}/locations/${v.location}/publishers/${publisher}/models/${model}`;
}

/** Claude models are served by the Anthropic publisher; everything else by Google's. */
export function isVertexClaude(model: string): boolean {
  return /^claude/i.test(model);
}

/**
 * Vertex AI: Gemini models through Google's publisher (the Gemini wire), Claude models through
 * Anthropic's (`:rawPredict` / `:streamRawPredict` with the Messages body, `anthropic_version` in
 * the body and no `model`, so Claude Code's requests pass through with their betas). Auth is a
 * Bearer access token: from the service account or the GCE metadata server (cached, refreshed
 * before expiry) or `api_key` as a static token.
 */
export function createVertexAdapters(deps: VertexDeps): { gemini: ProviderAdapter; claude: ProviderAdapter } {
  const tokens = deps.tokens ?? createTokenSource();
  const bearer = async (d: Deployment): Promise<Record<string, string>> => {
    const h: Record<string, string> = {};
    const v = d.provider.vertex;
    const token = v?.metadataHost
      ? await tokens.metadata(v.metadataHost)
      : v?.credentials
        ? await tokens.token(v.credentials)
        : d.provider.apiKey;
    if (token) h.authorization = `Bearer ${token}`;
    if (d.provider.headers) for (const [k, v] of Object.entries(d.provider.headers)) h[k.toLowerCase()] = v;
    return h;
  };
  const geminiCodec = createGeminiCodec((d, stream) => `${modelPath(d, 'google')}${generateAction(stream)}`);
  const a = deps.anthropicCodec;
  const onVertex = (body: Record<string, unknown>): Record<string, unknown> => {
    delete body.model;
    body.anthropic_version = VERTEX_ANTHROPIC_VERSION;
    return body;
  };
  const claudeCodec: WireCodec = {
    dialect: 'anthropic-messages',
    path: '',
    pathFor: (d, stream) => `${modelPath(d, 'anthropic')}${stream ? ':streamRawPredict' : ':rawPredict'}`,
    buildRequest: (req, d) => onVertex(a.buildRequest(req, d)),
    parseResponse: (body, req) => a.parseResponse(body, req),
    streamParser: (req) => a.streamParser(req),
    rewriteForPassthrough: (body, d, params) => onVertex(a.rewriteForPassthrough(body, d, params)),
  };
  const base = { type: 'vertex_ai' as const, defaultApiBase: '', needsKey: true };
  return {
    gemini: {
      ...base,
      native: 'gemini',
      wires: { gemini: geminiCodec },
      headers: (d) => bearer(d),
      classifyError: classifyGeminiError,
    },
    claude: {
      ...base,
      native: 'anthropic-messages',
      wires: { 'anthropic-messages': claudeCodec },
      reasoningFamily: () => 'anthropic',
      async headers(d, client) {
        const h = await bearer(d);
        const beta = client['anthropic-beta'];
        const value = Array.isArray(beta) ? beta.join(',') : beta;
        if (value) h['anthropic-beta'] = value;
        return h;
      },
      classifyError: (status, body, headers) =>
        // Vertex itself (quota, permissions) answers in Google's envelope; Claude in Anthropic's.
        /"status"\s*:\s*"[A-Z_]+"/.test(body)
          ? classifyGeminiError(status, body, headers)
          : deps.classifyAnthropicError(status, body, headers),
    },
  };
}
