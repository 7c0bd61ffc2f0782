import { ask, type Answer, type ChatMessage } from '../ask.js';
import { DaemonDownError, describeError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import type { UsageOut, UsageTotals } from './common.js';

export interface ConsensusRequest {
  prompt: string;
  models: string[];
  crossFeedback: boolean;
  maxTokens?: number;
  temperature?: number;
}

export type RoundAnswer =
  { model: string; deployment?: string; content: string } | { model: string; error: string };

export interface ConsensusResult {
  initial: RoundAnswer[];
  /** Null without cross feedback, or when fewer than two models answered the first round. */
  refined: RoundAnswer[] | null;
}

/**
 * Round one asks every model in parallel. Round two (cross feedback) shows each model that answered
 * the others' answers, anonymised, and asks for a refined one. A failing model becomes an `error`
 * entry; only a daemon that is not running fails the whole call.
 */
export async function runConsensus(
  gateway: GatewayClient,
  req: ConsensusRequest,
  usage: UsageTotals,
  signal?: AbortSignal,
): Promise<ConsensusResult> {
  const call = (model: string, messages: ChatMessage[]): Promise<Answer> =>
    ask(gateway, { model, messages, maxTokens: req.maxTokens, temperature: req.temperature }, signal);

  const initial = await round(
    req.models.map((model) => ({ model, run: () => call(model, [{ role: 'user', content: req.prompt }]) })),
    usage,
  );
  const answered = initial.filter((a): a is Extract<RoundAnswer, { content: string }> => 'content' in a);
  if (!req.crossFeedback || answered.length < 2) return { initial, refined: null };

  const refined = await round(
    answered.map((own) => ({
      model: own.model,
      run: () =>
        call(own.model, [
          { role: 'user', content: req.prompt },
          { role: 'assistant', content: own.content },
          { role: 'user', content: feedbackPrompt(answered.filter((o) => o !== own).map((o) => o.content)) },
        ]),
    })),
    usage,
  );
  return { initial, refined };
}

async function round(
  jobs: Array<{ model: string; run: () => Promise<Answer> }>,
  usage: UsageTotals,
): Promise<RoundAnswer[]> {
  const settled = await Promise.allSettled(jobs.map((j) => j.run()));
  const down = settled.find((s) => s.status === 'rejected' && s.reason instanceof DaemonDownError);
  if (down) throw (down as PromiseRejectedResult).reason;
  return settled.map((s, i): RoundAnswer => {
    const model = jobs[i].model;
    if (s.status === 'rejected') return { model, error: describeError(s.reason) };
    usage.add(s.value.tokens, s.value.costUsd);
    return { model, deployment: s.value.deployment, content: s.value.content };
  });
}

/** The second-round message: the other answers, unnamed so that no model defers to a brand. */
export function feedbackPrompt(others: string[]): string {
  const blocks = others.map((text, i) => `### Answer ${i + 1}\n\n${text.trim()}`).join('\n\n');
  return (
    `Other assistants answered the same request independently. Their answers:\n\n${blocks}\n\n` +
    'Compare them with yours. Correct anything in your answer that they show to be wrong, keep what you are confident ' +
    'is right, and reply with your refined final answer only.'
  );
}

/** The readable text that goes with the structured result. */
export function consensusText(r: ConsensusResult & { usage: UsageOut }): string {
  const section = (title: string, answers: RoundAnswer[]): string =>
    `# ${title}\n\n` +
    answers
      .map((a) =>
        'error' in a
          ? `## ${a.model} (failed)\n\n${a.error}`
          : `## ${a.model}${a.deployment ? ` (${a.deployment})` : ''}\n\n${a.content}`,
      )
      .join('\n\n');
  const parts = [section('Initial answers', r.initial)];
  if (r.refined) parts.push(section('Refined answers (after seeing the others)', r.refined));
  const u = r.usage;
  parts.push(
    `Usage: ${u.input_tokens} input + ${u.output_tokens} output tokens` +
      (u.cost_usd !== undefined ? `, $${u.cost_usd.toFixed(6)}` : ''),
  );
  return parts.join('\n\n');
}
