import { performance } from 'node:perf_hooks';
import type { GatewayClient } from './gateway-client.js';
import { GatewayCallError } from './errors.js';

/** Chat Completions content: text, or parts (text and `image_url`). */
export type ChatContent = string | ChatPart[];
export type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: ChatContent;
}

export interface AskRequest {
  model: string;
  messages: ChatMessage[];
  /** Sent only when the caller gave it; the alias's own defaults apply otherwise. */
  maxTokens?: number;
  temperature?: number;
  /** The MCP tool making the call: its model calls count against that tool's token limits. */
  tool?: 'complete' | 'consensus';
}

export interface TokenCount {
  input: number;
  output: number;
}

export interface Answer {
  /** The `<provider>/<model>` that served, or the name asked for when the daemon did not say. */
  deployment: string;
  content: string;
  tokens: TokenCount;
  costUsd?: number;
  latencyMs: number;
  attempts?: number;
  fallbacks?: number;
}

interface ChatCompletion {
  model?: string;
  choices?: Array<{ message?: { content?: unknown } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** One non-streaming Chat Completions call through the daemon. */
export async function ask(gateway: GatewayClient, req: AskRequest, signal?: AbortSignal): Promise<Answer> {
  const body: Record<string, unknown> = { model: req.model, messages: req.messages, stream: false };
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  const t0 = performance.now();
  const reply = await gateway.post<ChatCompletion>(
    '/v1/chat/completions',
    body,
    signal,
    req.tool ? { 'x-agentbox-tool': req.tool } : undefined,
  );
  const latencyMs = Math.round(performance.now() - t0);
  const choice = reply.body?.choices?.[0];
  if (!choice)
    throw new GatewayCallError(502, 'bad_response', `the gateway's answer for ${req.model} has no choices`);
  const usage = reply.body.usage ?? {};
  const a: Answer = {
    deployment: reply.deployment ?? reply.body.model ?? req.model,
    content: messageText(choice.message?.content),
    tokens: { input: count(usage.prompt_tokens), output: count(usage.completion_tokens) },
    costUsd: reply.costUsd,
    latencyMs,
  };
  if (reply.attempts !== undefined) a.attempts = reply.attempts;
  if (reply.fallbacks !== undefined) a.fallbacks = reply.fallbacks;
  return a;
}

/** Chat content is a string, or (from some providers) an array of text parts; null when the model only called tools. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .join('');
  }
  return '';
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
