import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type Recorded } from '../helpers/fake-upstream.js';
import {
  agentboxEnv,
  describeRun,
  freePort,
  openAgentWorld,
  requireCli,
  runBounded,
  toolResults,
  workdir,
  type AgentWorld,
} from './agents-harness.js';

/**
 * The real `claude -p` with thinking on, on an alias whose chain is an Anthropic-format upstream
 * then a Chat-format one. Turn one: Anthropic thinks (a signed thinking block) and calls Bash.
 * Turn two: Anthropic is overloaded, the Chat upstream serves and calls Bash again. Turn three:
 * the Chat upstream fails and the session goes back to Anthropic, which receives its own
 * signature byte for byte; the Chat upstream never receives a signature, and Claude Code sees no
 * error.
 */

const CLAUDE = requireCli('claude');
vi.setConfig({ testTimeout: 120_000 });
const SIG = 'EqQBCkgIARABGAIiQLq+/Zx9w3tE2eThinkingSignatureFromAnthropic0123==';
const FINAL = 'Both echoes ran; finished.';

let world: AgentWorld;
let chat: FakeUpstream;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentbox-thinking-fallback-'));
  const an = await startFakeUpstream('anthropic');
  // Like Anthropic: foreign or altered signatures are refused, and so is a tool round without thinking.
  an.checkThinking = true;
  chat = await startFakeUpstream('openai');
  const port = await freePort();
  const yaml = [
    'litellm:',
    `  port: ${port}`,
    '  host: 127.0.0.1',
    '  master_key: ${AGENTBOX_MASTER_KEY}',
    '  providers:',
    `    up: { type: anthropic, api_base: "${an.apiBase}", api_key: sk-ant-upstream-fake }`,
    `    chat: { type: openai_compatible, api_base: "${chat.apiBase}" }`,
    '  models:',
    '    "claude-*": [{ provider: up, model: claude-up }, { provider: chat, model: gpt-up }]',
    '  router: { num_retries: 0, timeout: 30 }',
    '',
  ].join('\n');
  world = await openAgentWorld(dir, yaml, an, [chat]);
});
afterAll(async () => {
  await world?.close();
});

/** The thinking blocks of a Messages request's history. */
const thinkingBlocks = (r: Recorded): Array<Record<string, unknown>> =>
  (r.body.messages as Array<{ content: unknown }>).flatMap((m) =>
    Array.isArray(m.content) ? m.content.filter((b: { type?: string }) => b.type === 'thinking') : [],
  );

describe('claude -p with thinking across a fallback to a Chat upstream and back', () => {
  it('keeps the Anthropic signature intact for Anthropic and away from the Chat upstream', async () => {
    world.upstream.setBehaviours({
      kind: 'decide',
      decide: (r) => {
        const done = toolResults(r).length;
        if (done === 0)
          return {
            kind: 'ok',
            thinking: { text: 'I should echo one first.', signature: SIG },
            tool: { name: 'Bash', args: { command: 'echo one-7f3a', description: 'Echo one' } },
          };
        if (done === 1)
          return {
            kind: 'status',
            status: 529,
            body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
          };
        return { kind: 'ok', text: FINAL };
      },
    });
    // After the fallback the session sticks to the Chat deployment; its failing on turn three
    // sends the session back to Anthropic.
    chat.setBehaviours({
      kind: 'decide',
      decide: (r) =>
        toolResults(r).length === 1
          ? {
              kind: 'ok',
              tool: { name: 'Bash', args: { command: 'echo two-7f3a', description: 'Echo two' } },
            }
          : { kind: 'status', status: 503 },
    });
    const lines = await agentboxEnv(world, 'claude');
    // The model Claude Code asks for is the one the upstream answers with: Claude Code leaves a
    // thinking block out of its history when the answer names another model than it asked for.
    const script = `${lines}\nexport CLAUDE_CODE_MAX_RETRIES=1\nexport ANTHROPIC_MODEL=claude-up\nexec "$0" -p "$1" --allowedTools 'Bash(echo:*)'`;
    const run = await runBounded('bash', ['-c', script, CLAUDE, 'Echo one, then echo two.'], {
      env: world.env,
      cwd: workdir(world, 'w'),
      timeoutMs: 90_000,
    });
    const seen = (): string =>
      JSON.stringify({
        anthropic: world.upstream.requests.map((r) => [r.path, r.body?.stream, toolResults(r).length]),
        chat: chat.requests.map((r) => [r.path, r.body?.stream, toolResults(r).length]),
      });
    expect(run.code, `${describeRun(run)}\n${seen()}`).toBe(0);
    expect(run.stdout).toContain(FINAL);
    expect(run.stdout + run.stderr).not.toMatch(/API Error|signature/i);

    const an = world.upstream.requests.filter((r) => r.path.startsWith('/v1/messages'));
    const turns = an.map((r) => toolResults(r).length);
    expect(turns).toEqual([0, 1, 2]);
    // Thinking was on: Claude Code asked for it.
    expect(an[0].body.thinking?.type).toMatch(/^(enabled|adaptive)$/);
    // Turn two was asked of Anthropic first (overloaded), with the signature as Anthropic issued it.
    for (const r of an.slice(1)) {
      expect(thinkingBlocks(r).map((b) => b.signature)).toEqual([SIG]);
      expect(r.raw).toContain(`"signature":"${SIG}"`);
      expect(r.raw).not.toContain('agentbox:');
    }
    // Turn two on the Chat upstream (and turn three, tried there first): no signature, ever.
    expect(chat.requests.map((r) => toolResults(r).length)).toEqual([1, 2]);
    expect(toolResults(chat.requests[0]).map((t) => t.trim())).toEqual(['one-7f3a']);
    for (const r of chat.requests) {
      expect(r.raw).not.toContain(SIG);
      expect(r.raw).not.toContain('agentbox:');
    }
    // What Claude Code kept in its transcript (and echoed) is the marked value.
    const transcripts = readdirSync(join(world.env.HOME!, '.claude', 'projects'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(world.env.HOME!, '.claude', 'projects', f), 'utf8'));
    expect(transcripts.join('\n')).toContain(`"signature":"agentbox:anthropic:${SIG}"`);
    // Turn three: both results, Anthropic's thinking still in the history. Its tool round is the
    // Chat upstream's call, without thinking: adaptive thinking (what Claude Code asks for) takes
    // that as it is, so the request goes as sent.
    expect(toolResults(an[2]).map((t) => t.trim())).toEqual(['one-7f3a', 'two-7f3a']);
    expect(an[2].body.thinking).toEqual(an[0].body.thinking);
  });
});
