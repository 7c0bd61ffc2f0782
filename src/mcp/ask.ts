import type { GatewayClient } from './gateway-client.js';
import { GatewayCallError } from './errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface AskRequest {
  model: string;
  messages: ChatMessage[];
  /** Sent only when the caller gave it; otherwise the alias's configured params (or the model's default) apply. */
  maxTokens?: number;
  temperature?: number;
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
}

interface ChatCompletion {
  model?: string;
  choices?: Array<{ message?: { content?: unknown } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** One non-streaming Chat Completions call through the daemon. */
export async function ask(gateway: GatewayClient, req: AskRequest, signal?: AbortSignal): Promise<Answer> {
  const reply = await gateway.post<ChatCompletion>(
    '/v1/chat/completions',
    {
      model: req.model,
      messages: req.messages,
      ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      stream: false,
    },
    signal,
  );
  const choice = reply.body?.choices?.[0];
  if (!choice)
    throw new GatewayCallError(502, 'bad_response', `the gateway's answer for ${req.model} has no choices`);
  const usage = reply.body.usage ?? {};
  return {
    deployment: reply.deployment ?? reply.body.model ?? req.model,
    content: messageText(choice.message?.content),
    tokens: { input: count(usage.prompt_tokens), output: count(usage.completion_tokens) },
    costUsd: reply.costUsd,
  };
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
