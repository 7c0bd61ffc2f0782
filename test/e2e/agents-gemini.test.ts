import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startGateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import { startFakeGoogle, type FakeGoogle, type GoogleRecorded } from '../helpers/fake-google.js';
import type { Recorded } from '../helpers/fake-upstream.js';
import {
  agentboxEnv,
  describeRun,
  freePort,
  MASTER_KEY,
  requireCli,
  runBounded,
  startAgentWorld,
  toolResults,
  workdir,
  type AgentWorld,
} from './agents-harness.js';

/**
 * The real Gemini CLI (pinned in test/e2e/clients), configured only with what `agentbox env
 * gemini` prints, offline (temp HOME, no telemetry, no update check, outside traffic refused),
 * through the gateway's Gemini routes to an OpenAI-Chat-format, an Anthropic-format and a
 * Gemini-format upstream: plain text, and a read_file tool round trip.
 */

const GEMINI = requireCli('gemini');
vi.setConfig({ testTimeout: 90_000 });
const TOKEN = 'agentbox-e2e-g3m1n1';
const FINAL = 'Gemini CLI read the token; finished.';

interface World {
  dir: string;
  env: NodeJS.ProcessEnv;
  configPath: string;
  /** Requests the upstream received, and whether each carried the tool result with the token. */
  sent(): Array<{ path: string; sawToken: boolean; model: string; headers: Recorded['headers'] }>;
  reply(text: string): void;
  /** read_file on the given path first, then FINAL once the token came back. */
  readThenFinish(path: string): void;
  agent: AgentWorld | { gateway: { url: string }; dir: string; configPath: string; env: NodeJS.ProcessEnv };
  close(): Promise<void>;
}

const functionResponses = (r: GoogleRecorded): string[] =>
  ((r.body?.contents ?? []) as any[]).flatMap((c) =>
    (c.parts ?? [])
      .filter((p: any) => p.functionResponse)
      .map((p: any) => JSON.stringify(p.functionResponse)),
  );

async function chatOrMessagesWorld(format: 'openai' | 'anthropic'): Promise<World> {
  const w = await startAgentWorld(format, ['code', 'gemini-*']);
  const up = w.upstream;
  return {
    dir: w.dir,
    env: w.env,
    configPath: w.configPath,
    agent: w,
    sent: () =>
      up.requests.map((r) => ({
        path: r.path,
        sawToken: toolResults(r).some((t) => t.includes(TOKEN)),
        model: r.body?.model,
        headers: r.headers,
      })),
    reply: (text) => up.setBehaviours({ kind: 'ok', text }),
    readThenFinish: (path) =>
      up.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          toolResults(r).some((t) => t.includes(TOKEN))
            ? { kind: 'ok', text: FINAL }
            : { kind: 'ok', tool: { name: 'read_file', args: { file_path: path } } },
      }),
    close: () => w.close(),
  };
}

/** The same world with a fake Gemini API upstream (`type: gemini`) behind the gateway. */
async function geminiWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'agentbox-agents-gemini-'));
  const g: FakeGoogle = await startFakeGoogle({ apiKey: 'AIzaFakeUpstreamKeyForE2E' });
  const port = await freePort();
  const configPath = join(dir, 'config.yml');
  writeFileSync(
    configPath,
    [
      'litellm:',
      `  port: ${port}`,
      '  master_key: ${AGENTBOX_MASTER_KEY}',
      '  providers:',
      `    up: { type: gemini, api_base: "${g.url}/v1beta", api_key: AIzaFakeUpstreamKeyForE2E }`,
      '  models:',
      '    code: [{ provider: up, model: gemini-up }]',
      '    "gemini-*": [{ provider: up, model: gemini-up }]',
      '  router: { num_retries: 0, timeout: 30 }',
      '',
    ].join('\n'),
  );
  const base = await startAgentWorld('openai', []); // for its environment only
  const env = { ...base.env, HOME: join(dir, 'home'), AGENTBOX_STATE_DIR: join(dir, 'state') };
  await base.close();
  const loaded = await loadConfig({ path: configPath, env });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const gateway = await startGateway(loaded.loaded, { log: silentLogger(), stateDir: null });
  return {
    dir,
    env,
    configPath,
    agent: { gateway, dir, configPath, env },
    sent: () =>
      g.requests.map((r) => ({
        path: r.path,
        sawToken: functionResponses(r).some((t) => t.includes(TOKEN)),
        model: r.path,
        headers: r.headers,
      })),
    reply: (text) => g.setBehaviours({ kind: 'ok', text }),
    readThenFinish: (path) =>
      g.setBehaviours({
        kind: 'decide',
        decide: (r) =>
          functionResponses(r).some((t) => t.includes(TOKEN))
            ? { kind: 'ok', text: FINAL }
            : { kind: 'ok', call: { name: 'read_file', args: { file_path: path } } },
      }),
    async close() {
      await gateway.stop(100);
      await g.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runGemini(world: World, prompt: string, workspace?: string) {
  const printed = await agentboxEnv(world.agent as AgentWorld, 'gemini', ['--model', 'code']);
  const home = join(world.dir, `home-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(join(home, '.gemini'), { recursive: true });
  // The printed settings entry, plus offline and quiet: no update check, statistics or telemetry.
  const lines = printed.split('\n');
  const settings = JSON.parse(lines.find((l) => l.startsWith('{'))!);
  const shell = lines.filter((l) => l.startsWith('export ') || l.startsWith('unset ')).join('\n');
  writeFileSync(
    join(home, '.gemini', 'settings.json'),
    JSON.stringify({
      ...settings,
      general: { disableAutoUpdate: true, disableUpdateNag: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    }),
  );
  const cwd = workspace ?? workdir(world.agent as AgentWorld, `w${Math.random().toString(36).slice(2, 8)}`);
  const script = `${shell}\nexec "$0" -p "$1" --output-format text`;
  const run = await runBounded('bash', ['-c', script, GEMINI, prompt], {
    env: { ...world.env, HOME: home, GEMINI_CLI_TRUST_WORKSPACE: 'true' },
    cwd,
    timeoutMs: 60_000,
  });
  return { printed, run, cwd };
}

describe.each(['openai', 'anthropic', 'gemini'] as const)(
  'Gemini CLI through agentbox to a %s-format upstream',
  (format) => {
    let world: World;
    beforeAll(async () => {
      world = format === 'gemini' ? await geminiWorld() : await chatOrMessagesWorld(format);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('prints the upstream text', async () => {
      world.reply('Hello from the fake upstream via Gemini CLI.');
      const before = world.sent().length;
      const { printed, run } = await runGemini(world, 'say hi');
      expect(printed).toContain(`export GOOGLE_GEMINI_BASE_URL=${world.agent.gateway.url}`);
      expect(printed).toContain('export GEMINI_API_KEY="$AGENTBOX_MASTER_KEY"');
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain('Hello from the fake upstream via Gemini CLI.');
      const sent = world.sent().slice(before);
      expect(sent.length).toBeGreaterThanOrEqual(1);
      for (const s of sent) expect(JSON.stringify(s.headers)).not.toContain(MASTER_KEY);
      if (format === 'gemini')
        expect(sent[0].path).toBe('/v1beta/models/gemini-up:streamGenerateContent?alt=sse');
      else expect(sent[0].model).toBe(format === 'openai' ? 'gpt-up' : 'claude-up');
    });

    it('reads the file the upstream asks for and prints the final answer', async () => {
      const before = world.sent().length;
      // Gemini CLI reads only inside its workspace (the directory it runs in).
      const dir = workdir(world.agent as AgentWorld, 'files');
      const file = join(dir, 'token.txt');
      writeFileSync(file, `${TOKEN}\n`);
      world.readThenFinish(file);
      const { run } = await runGemini(world, `Read ${file} and tell me what it says.`, dir);
      expect(run.code, describeRun(run)).toBe(0);
      const sent = world.sent().slice(before);
      const seen = JSON.stringify(sent.map((x) => [x.path, x.sawToken]));
      expect(run.stdout, `${describeRun(run)}\n--- upstream requests\n${seen}`).toContain(FINAL);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expect(sent[0].sawToken).toBe(false);
      expect(sent[sent.length - 1].sawToken).toBe(true);
    });
  },
);
