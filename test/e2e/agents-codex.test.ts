import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
 * `codex exec` (the real CLI from devDependencies), configured only with what `agentbox env codex`
 * prints (config.toml plus the key export), through the gateway's Responses API to an
 * OpenAI-Chat-format upstream and to an Anthropic-format upstream: plain text, and an
 * exec_command tool round trip.
 */

const CODEX = requireCli('codex');
/**
 * Tools run in a temp dir with commands the fake upstream chose; Codex's own sandbox (bubblewrap,
 * user namespaces) is a property of the machine, not of the gateway, so it is not required here.
 */
const SANDBOX = ['--sandbox', 'danger-full-access'];

// Each CLI run is bounded at 60 s (killed by pid); a test may run it and wait for retries.
vi.setConfig({ testTimeout: 90_000 });
const TOKEN = 'agentbox-e2e-c0d3';
const FINAL = 'Codex saw the token; finished.';

const hasToolResult = (r: Recorded): boolean => toolResults(r).some((t) => t.includes(TOKEN));

/** Splits `agentbox env codex` into its config.toml part and its shell lines. */
function splitEnv(text: string): { toml: string; shell: string } {
  const lines = text.split('\n');
  return {
    toml: lines.filter((l) => !l.startsWith('export ')).join('\n'),
    shell: lines.filter((l) => l.startsWith('export ')).join('\n'),
  };
}

async function runCodex(
  world: AgentWorld,
  prompt: string,
  opts: { model?: string; extraToml?: string } = {},
) {
  const printed = await agentboxEnv(world, 'codex', opts.model ? ['--model', opts.model] : []);
  const { toml, shell } = splitEnv(printed);
  const codexHome = join(world.dir, `codex-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(codexHome, { recursive: true });
  // The printed file ends in the provider table: the test-only bounds are added to it.
  writeFileSync(
    join(codexHome, 'config.toml'),
    `${toml}\nrequest_max_retries = 1\nstream_max_retries = 1\nstream_idle_timeout_ms = 20000\n${opts.extraToml ?? ''}`,
  );
  const cwd = workdir(world, `w${Math.random().toString(36).slice(2, 8)}`);
  const script = `${shell}\nexport CODEX_HOME='${codexHome}'\nexec "$0" exec --skip-git-repo-check ${SANDBOX.join(' ')} "$1"`;
  const run = await runBounded('bash', ['-c', script, CODEX, prompt], {
    env: world.env,
    cwd,
    timeoutMs: 60_000,
  });
  return { printed, toml, run, cwd };
}

describe.each(['openai', 'anthropic'] as const)(
  'codex exec through agentbox to an %s-format upstream',
  (format) => {
    let world: AgentWorld;
    beforeAll(async () => {
      world = await startAgentWorld(format, ['code', 'gpt-5.5']);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('prints the upstream text', async () => {
      world.upstream.setBehaviours({ kind: 'ok', text: 'Hello from the fake upstream via Codex.' });
      const before = world.upstream.requests.length;
      const { toml, run } = await runCodex(world, 'say hi');
      expect(toml).toContain('model = "code"');
      expect(toml).toContain(`base_url = "${world.gateway.url}/v1"`);
      expect(toml).toContain('wire_api = "responses"');
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain('Hello from the fake upstream via Codex.');
      const sent = world.upstream.requests.slice(before);
      expect(sent.map((r) => [r.path, r.body.stream])).toEqual([
        [format === 'openai' ? '/v1/chat/completions' : '/v1/messages', true],
      ]);
      expect(sent[0].body.model).toBe(format === 'openai' ? 'gpt-up' : 'claude-up');
      expect(JSON.stringify(sent[0].headers)).not.toContain(MASTER_KEY);
    });

    it('runs exec_command the upstream asks for and prints the final answer', async () => {
      world.upstream.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          hasToolResult(r)
            ? { kind: 'ok', text: FINAL }
            : { kind: 'ok', tool: { name: 'exec_command', args: { cmd: `echo ${TOKEN}` } } },
      });
      const before = world.upstream.requests.length;
      const { run } = await runCodex(world, 'Run echo with the token.');
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain(FINAL);
      const sent = world.upstream.requests.slice(before);
      expect(sent.map((r) => r.body.stream)).toEqual([true, true]);
      expect(hasToolResult(sent[0])).toBe(false);
      expect(hasToolResult(sent[1])).toBe(true);
      // The command really ran: Codex reports its exit code and output.
      expect(toolResults(sent[1]).join('\n')).toMatch(
        new RegExp(`exited with code 0[\\s\\S]*Output:\\n${TOKEN}\\n`),
      );
      const tools = JSON.stringify(sent[0].body.tools);
      expect(tools).toContain('exec_command');
    });

    it('reports a cut stream as a disconnect (exit 1), never as a finished answer', async () => {
      world.upstream.setBehaviours({ kind: 'cut', afterEvents: format === 'openai' ? 3 : 4 });
      const before = world.upstream.requests.length;
      const { run } = await runCodex(world, 'say hi');
      expect(run.code, describeRun(run)).toBe(1);
      expect(run.stderr).toContain('stream disconnected before completion');
      expect(run.stdout).not.toMatch(/Hello/);
      // The first try and one reconnect (stream_max_retries = 1).
      expect(world.upstream.requests.length - before).toBe(2);
    });

    it('applies the patch the upstream sends through apply_patch (a custom tool)', async () => {
      const PATCH =
        '*** Begin Patch\n*** Add File: made-by-codex.txt\n+written through agentbox\n*** End Patch\n';
      world.upstream.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          toolResults(r).length
            ? { kind: 'ok', text: 'Patched the file.' }
            : { kind: 'ok', tool: { name: 'apply_patch', args: { input: PATCH } } },
      });
      const before = world.upstream.requests.length;
      // Codex offers apply_patch as a custom (grammar) tool to models it knows, such as gpt-5.5.
      const { run, cwd } = await runCodex(world, 'Create the file.', {
        model: 'gpt-5.5',
      });
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain('Patched the file.');
      expect(readFileSync(join(cwd, 'made-by-codex.txt'), 'utf8')).toBe('written through agentbox\n');
      const sent = world.upstream.requests.slice(before);
      expect(sent).toHaveLength(2);
      const patchTool = (sent[0].body.tools as any[]).find(
        (t) => (t.function?.name ?? t.name) === 'apply_patch',
      );
      expect(patchTool.function?.parameters ?? patchTool.input_schema).toMatchObject({
        properties: { input: { type: 'string' } },
      });
      expect(toolResults(sent[1]).join('\n')).toMatch(/Success|made-by-codex\.txt/);
    });

    it('calls an MCP tool the upstream asks for by its flattened name, under its namespace', async () => {
      world.upstream.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          toolResults(r).length
            ? {
                kind: 'ok',
                text: `MCP said ${toolResults(r).join(' ').includes('42') ? 'forty-two' : 'something else'}.`,
              }
            : { kind: 'ok', tool: { name: 'mcp__mini__add', args: { a: 2, b: 40 } } },
      });
      const before = world.upstream.requests.length;
      const server = fileURLToPath(new URL('../fixtures/mcp/mini-server.mjs', import.meta.url));
      const { run } = await runCodex(world, 'Add 2 and 40 with the MCP tool.', {
        extraToml: `\n[mcp_servers.mini]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(server)}]\ndefault_tools_approval_mode = "approve"\nstartup_timeout_sec = 20\ntool_timeout_sec = 20\n`,
      });
      const sentNow = world.upstream.requests.slice(before).map((r) => toolResults(r));
      expect(
        run.code,
        `${describeRun(run)}\n--- tool results per upstream request\n${JSON.stringify(sentNow)}`,
      ).toBe(0);
      // Codex rejects a flattened name ("unsupported call"); the gateway gave it back add + namespace.
      expect(run.stderr + run.stdout).not.toContain('unsupported call');
      expect(run.stdout).toContain('MCP said forty-two.');
      const sent = world.upstream.requests.slice(before);
      expect(sent).toHaveLength(2);
      expect(JSON.stringify(sent[0].body.tools)).toContain('mcp__mini__add');
    });
  },
);
