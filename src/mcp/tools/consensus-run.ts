import { ask, type Answer, type ChatContent, type ChatMessage } from '../ask.js';
import { DaemonDownError, GatewayCallError, describeError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { UsageTotals, type UsageOut } from './common.js';

export interface ConsensusRequest {
  prompt: string;
  /** The first user message: the prompt with attached files and images. */
  content?: ChatContent;
  models: string[];
  crossFeedback: boolean;
  maxTokens?: number;
  temperature?: number;
  /** Models asked at once (default: all). */
  maxConcurrency?: number;
  /** Milliseconds after which models that have not answered are reported as timed out. */
  deadlineMs?: number;
}

export type RoundAnswer =
  | {
      model: string;
      deployment?: string;
      content: string;
      usage: UsageOut;
      cost_usd?: number;
      latency_ms: number;
    }
  | { model: string; error: string; timed_out?: boolean };

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
  // One deadline for the whole call: models still running then are cancelled and reported.
  const deadline = req.deadlineMs ? AbortSignal.timeout(req.deadlineMs) : undefined;
  const callSignal = deadline && signal ? AbortSignal.any([signal, deadline]) : (deadline ?? signal);
  const call = (model: string, messages: ChatMessage[]): Promise<Answer> =>
    ask(
      gateway,
      { model, messages, maxTokens: req.maxTokens, temperature: req.temperature, tool: 'consensus' },
      callSignal,
    );
  const opts = { usage, limit: req.maxConcurrency, deadline, deadlineMs: req.deadlineMs };
  const first: ChatContent = req.content ?? req.prompt;

  const initial = await round(
    req.models.map((model) => ({ model, run: () => call(model, [{ role: 'user', content: first }]) })),
    opts,
  );
  const answered = initial.filter((a): a is Extract<RoundAnswer, { content: string }> => 'content' in a);
  if (!req.crossFeedback || answered.length < 2) return { initial, refined: null };

  const refined = await round(
    answered.map((own) => ({
      model: own.model,
      run: () =>
        call(own.model, [
          { role: 'user', content: first },
          { role: 'assistant', content: own.content },
          { role: 'user', content: feedbackPrompt(answered.filter((o) => o !== own).map((o) => o.content)) },
        ]),
    })),
    opts,
  );
  return { initial, refined };
}

interface RoundOptions {
  usage: UsageTotals;
  limit?: number;
  deadline?: AbortSignal;
  deadlineMs?: number;
}

async function round(
  jobs: Array<{ model: string; run: () => Promise<Answer> }>,
  o: RoundOptions,
): Promise<RoundAnswer[]> {
  const settled = await settleLimited(
    jobs.map((j) => j.run),
    o.limit ?? jobs.length,
    o.deadline,
  );
  const down = settled.find((s) => s.status === 'rejected' && s.reason instanceof DaemonDownError);
  if (down) throw (down as PromiseRejectedResult).reason;
  return settled.map((s, i): RoundAnswer => {
    const model = jobs[i].model;
    if (s.status === 'rejected') {
      const cut = s.reason instanceof GatewayCallError && s.reason.code === 'cancelled';
      if (o.deadline?.aborted && (cut || s.reason instanceof NotStarted))
        return {
          model,
          error: `timed out: no answer within the call's ${o.deadlineMs} ms deadline`,
          timed_out: true,
        };
      return { model, error: describeError(s.reason) };
    }
    const one = new UsageTotals();
    one.add(s.value.tokens, s.value.costUsd);
    o.usage.add(s.value.tokens, s.value.costUsd);
    const a: RoundAnswer = {
      model,
      deployment: s.value.deployment,
      content: s.value.content,
      usage: one.toJSON(),
      latency_ms: s.value.latencyMs,
    };
    if (s.value.costUsd !== undefined) a.cost_usd = s.value.costUsd;
    return a;
  });
}

class NotStarted extends Error {}

/** The job's result, or a rejection as soon as the deadline passes (the job is cancelled by it too). */
function untilAborted<T>(job: Promise<T>, deadline?: AbortSignal): Promise<T> {
  if (!deadline) return job;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new GatewayCallError(499, 'cancelled', 'the call was cancelled'));
    if (deadline.aborted) return onAbort();
    deadline.addEventListener('abort', onAbort, { once: true });
    job.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

/** Run the jobs at most `limit` at a time; a job not started by the deadline is not started. */
async function settleLimited<T>(
  jobs: Array<() => Promise<T>>,
  limit: number,
  deadline?: AbortSignal,
): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      if (deadline?.aborted) {
        out[i] = { status: 'rejected', reason: new NotStarted() };
        continue;
      }
      try {
        out[i] = { status: 'fulfilled', value: await untilAborted(jobs[i](), deadline) };
      } catch (e) {
        out[i] = { status: 'rejected', reason: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return out;
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
      (u.cost_usd !== undefined
        ? `, $${u.cost_usd.toFixed(6)}${u.cost_partial ? ' (partial: some prices are unknown)' : ''}`
        : ', cost unknown'),
  );
  return parts.join('\n\n');
}
