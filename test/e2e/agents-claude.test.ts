import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Recorded } from '../helpers/fake-upstream.js';
import {
  agentboxEnv,
  describeRun,
  MASTER_KEY,
  requireCli,
  runBounded,
  startAgentWorld,
  toolResults,
  workdir,
  type AgentWorld,
} from './agents-harness.js';

/**
 * `claude -p` (the real CLI from devDependencies), configured only with the lines
 * `agentbox env claude` prints, through the gateway to an OpenAI-Chat-format upstream and to an
 * Anthropic-format upstream: plain text, and a Bash tool round trip.
 */

const CLAUDE = requireCli('claude');

// Each CLI run is bounded at 60 s (killed by pid); a test may run it and wait for retries.
vi.setConfig({ testTimeout: 90_000 });
const TOKEN = 'agentbox-e2e-7f3a';
const FINAL = 'The command printed the token; all done.';

const hasToolResult = (r: Recorded): boolean => toolResults(r).some((t) => t.includes(TOKEN));

async function runClaude(world: AgentWorld, prompt: string, extra: string[] = []) {
  const lines = await agentboxEnv(world, 'claude');
  const cwd = workdir(world, `w${Math.random().toString(36).slice(2, 8)}`);
  // The printed lines are run as they are, by the shell; then claude replaces it (same pid).
  const script = `${lines}\nexport CLAUDE_CODE_MAX_RETRIES=1\nexec "$0" -p "$1" ${extra.map((a) => `'${a}'`).join(' ')}`;
  const run = await runBounded('bash', ['-c', script, CLAUDE, prompt], {
    env: world.env,
    cwd,
    timeoutMs: 60_000,
  });
  return { lines, run };
}

describe.each(['openai', 'anthropic'] as const)(
  'claude -p through agentbox to an %s-format upstream',
  (format) => {
    let world: AgentWorld;
    beforeAll(async () => {
      world = await startAgentWorld(format, ['claude-*']);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('prints the upstream text', async () => {
      world.upstream.setBehaviours({ kind: 'ok', text: 'Hi from the fake upstream!' });
      const before = world.upstream.requests.length;
      const { lines, run } = await runClaude(world, 'say hi');
      expect(lines).toContain(`ANTHROPIC_BASE_URL=${world.gateway.url}\n`);
      expect(lines).toContain('ANTHROPIC_AUTH_TOKEN="$AGENTBOX_MASTER_KEY"');
      // The config's claude-* glob serves Claude Code's own model names: no model override.
      expect(lines).not.toContain('ANTHROPIC_MODEL');
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain('Hi from the fake upstream!');
      const sent = world.upstream.requests.slice(before);
      // One streamed request: a stream Claude Code could not read would show as a non-stream retry.
      expect(sent.map((r) => [r.path, r.body.stream])).toEqual([
        [format === 'openai' ? '/v1/chat/completions' : '/v1/messages', true],
      ]);
      expect(sent[0].body.model).toBe(format === 'openai' ? 'gpt-up' : 'claude-up');
      // The client's key (the master key) never goes upstream.
      expect(JSON.stringify(sent[0].headers)).not.toContain(MASTER_KEY);
    });

    it('runs a Bash tool the upstream asks for and prints the final answer', async () => {
      world.upstream.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          hasToolResult(r)
            ? { kind: 'ok', text: FINAL }
            : {
                kind: 'ok',
                tool: { name: 'Bash', args: { command: `echo ${TOKEN}`, description: 'Print the token' } },
              },
      });
      const before = world.upstream.requests.length;
      const { run } = await runClaude(world, 'Run echo with the token.', ['--allowedTools', 'Bash(echo:*)']);
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain(FINAL);
      const sent = world.upstream.requests.slice(before);
      expect(sent.map((r) => r.body.stream)).toEqual([true, true]);
      expect(hasToolResult(sent[0])).toBe(false);
      expect(sent.some(hasToolResult)).toBe(true);
      const second = sent.find(hasToolResult)!;
      // The command really ran: its output, not an error about it.
      expect(toolResults(second).map((t) => t.trim())).toContain(TOKEN);
      if (format === 'openai') {
        const call = second.body.messages.find((m: any) => m.role === 'assistant' && m.tool_calls)
          ?.tool_calls?.[0];
        expect(call?.function?.name).toBe('Bash');
        const result = second.body.messages.find((m: any) => m.role === 'tool');
        expect(result.tool_call_id).toBe(call.id);
      } else {
        const use = second.body.messages
          .flatMap((m: any) => (Array.isArray(m.content) ? m.content : []))
          .find((b: any) => b.type === 'tool_use');
        expect(use?.name).toBe('Bash');
        expect(use?.input).toEqual({ command: `echo ${TOKEN}`, description: 'Print the token' });
      }
    });

    it('does not take a cut stream for an answer: it retries without streaming and prints the whole text', async () => {
      const text = 'A complete answer, delivered on the second try.';
      // Streams are cut after the first deltas; the non-streaming request Claude Code falls back to is answered.
      world.upstream.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          r.body.stream === true
            ? { kind: 'cut', afterEvents: format === 'openai' ? 3 : 4 }
            : { kind: 'ok', text },
      });
      const before = world.upstream.requests.length;
      const { run } = await runClaude(world, 'say hi');
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout.trim()).toBe(text);
      expect(world.upstream.requests.slice(before).map((r) => r.body.stream === true)).toEqual([true, false]);
    });

    it('recognises a context overflow from either upstream as its own "Prompt is too long"', async () => {
      world.upstream.setBehaviours({ kind: 'context' });
      const { run } = await runClaude(world, 'say hi');
      expect(run.code, describeRun(run)).toBe(1);
      // Claude Code's own overflow handling (it compacts longer conversations), not a generic API error.
      expect(run.stdout).toMatch(/^Prompt is too long/m);
      expect(run.stdout).not.toContain('API Error');
    });
  },
);
