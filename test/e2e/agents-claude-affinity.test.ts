import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Recorded } from '../helpers/fake-upstream.js';
import {
  agentboxEnv,
  describeRun,
  requireCli,
  runBounded,
  startAgentWorld,
  toolResults,
  workdir,
  type AgentWorld,
} from './agents-harness.js';

/**
 * The real `claude -p` against an alias whose two deployments share load equally: every turn of
 * one Claude Code session (a tool round trip: two requests) reaches the same deployment, by its
 * `x-claude-code-session-id`, so the upstream's prompt cache keeps paying.
 */

const CLAUDE = requireCli('claude');
vi.setConfig({ testTimeout: 240_000 });
const TOOL_TURNS = 1;
const FINAL = 'Counted every echo; done.';

let world: AgentWorld;
beforeAll(async () => {
  world = await startAgentWorld('anthropic', ['claude-*'], { group: true });
});
afterAll(async () => {
  await world?.close();
});

async function runSession(tag: string) {
  const lines = await agentboxEnv(world, 'claude');
  const cwd = workdir(world, `aff-${tag}`);
  const script = `${lines}\nexport CLAUDE_CODE_MAX_RETRIES=1\nexec "$0" -p "$1" --allowedTools 'Bash(echo:*)'`;
  return runBounded('bash', ['-c', script, CLAUDE, `Echo ${tag} a few times.`], {
    env: world.env,
    cwd,
    timeoutMs: 60_000,
  });
}

describe('claude -p on a load-sharing alias', () => {
  it('keeps each session on one deployment across its turns', async () => {
    world.upstream.setBehaviours({
      kind: 'decide',
      decide: (r: Recorded) => {
        const done = toolResults(r).length;
        return done >= TOOL_TURNS
          ? { kind: 'ok', text: FINAL }
          : {
              kind: 'ok',
              tool: { name: 'Bash', args: { command: `echo turn-${done}`, description: 'Echo' } },
            };
      },
    });
    for (const tag of ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']) {
      const before = world.upstream.requests.length;
      const run = await runSession(tag);
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain(FINAL);
      const sent = world.upstream.requests.slice(before);
      expect(sent.length).toBeGreaterThanOrEqual(TOOL_TURNS + 1);
      const sessions = new Set(sent.map((r) => r.headers['x-claude-code-session-id']));
      expect(sessions.size).toBe(1);
      // Without affinity each turn is a coin toss: six sessions each on one deployment would be luck (1 in 64).
      expect(new Set(sent.map((r) => r.body.model)).size, JSON.stringify(sent.map((r) => r.body.model))).toBe(
        1,
      );
    }
  });
});
