import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import { clientBin } from '../helpers/clients.js';
import { startFakeUpstream, type FakeUpstream, type Recorded } from '../helpers/fake-upstream.js';

/**
 * The real Claude Code and Codex CLIs against an in-process gateway (loaded from a config file,
 * master key on) in front of a fake upstream, configured with what `agentbox env` prints.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const AGENTBOX_BIN = join(ROOT, 'bin/agentbox.js');
export const MASTER_KEY = 'mk-agents-e2e-0123456789';

/**
 * The path of a real agent CLI (installed on demand into test/e2e/clients, see helpers/clients.ts),
 * checked with `--version`; throws (never skips) when it does not run.
 */
export function requireCli(name: 'claude' | 'codex' | 'gemini'): string {
  const bin = clientBin(name);
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) {
    const hint =
      name === 'claude'
        ? ' (the native binary comes from the optional dependency @anthropic-ai/claude-code-linux-x64 and its postinstall)'
        : name === 'codex'
          ? ' (the native binary comes from the optional dependency @openai/codex-linux-x64: do not install with --omit=optional)'
          : '';
    throw new Error(
      `${name} --version failed (exit ${r.status}): ${(r.stdout + r.stderr).trim().slice(0, 300)}${hint}`,
    );
  }
  return bin;
}

/** Offline: anything an agent tries beyond the gateway (plugin clones, analytics) is refused. */
export const OFFLINE_ENV: Readonly<NodeJS.ProcessEnv> = {
  HTTPS_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
  TERM: 'dumb',
  NO_COLOR: '1',
  LANG: 'C.UTF-8',
};

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface AgentWorld {
  dir: string;
  configPath: string;
  upstream: FakeUpstream;
  gateway: Gateway;
  /** The environment agentbox and the agents run with (temp HOME, state dir, the master key). */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A temp dir with a config.yml naming one fake upstream (`format`) as provider `up`, the given
 * aliases all pointing at it, and `master_key: ${AGENTBOX_MASTER_KEY}`; the gateway listens on the
 * config's port so `agentbox env --config` prints its URL.
 */
export async function startAgentWorld(
  format: 'openai' | 'anthropic',
  aliases: string[],
  opts: { group?: boolean } = {},
): Promise<AgentWorld> {
  const dir = mkdtempSync(join(tmpdir(), `agentbox-agents-${format}-`));
  const upstream = await startFakeUpstream(format);
  const port = await freePort();
  const provider =
    format === 'openai'
      ? `{ type: openai_compatible, api_base: "${upstream.apiBase}" }`
      : `{ type: anthropic, api_base: "${upstream.apiBase}", api_key: sk-ant-upstream-fake }`;
  const model = format === 'openai' ? 'gpt-up' : 'claude-up';
  const yaml = [
    'litellm:',
    `  port: ${port}`,
    '  host: 127.0.0.1',
    '  master_key: ${AGENTBOX_MASTER_KEY}',
    '  providers:',
    `    up: ${provider}`,
    // With `group`: a second provider on the same upstream, sharing load with the first (model `<m>-b`).
    ...(opts.group ? [`    up2: ${provider}`] : []),
    '  models:',
    ...aliases.map((a) =>
      opts.group
        ? `    "${a}": [{ provider: up, model: ${model}, order: 0 }, { provider: up2, model: ${model}-b, order: 0 }]`
        : `    "${a}": [{ provider: up, model: ${model} }]`,
    ),
    '  router: { num_retries: 0, timeout: 30 }',
    '',
  ].join('\n');
  return openAgentWorld(dir, yaml, upstream);
}

/**
 * A world from a config file's text (in `dir`, which the world removes on close): the gateway
 * started from it with the agents' environment. `close` also closes `upstream` and `others`.
 */
export async function openAgentWorld(
  dir: string,
  yaml: string,
  upstream: FakeUpstream,
  others: FakeUpstream[] = [],
): Promise<AgentWorld> {
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, yaml);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    AGENTBOX_STATE_DIR: join(dir, 'state'),
    AGENTBOX_MASTER_KEY: MASTER_KEY,
    ...OFFLINE_ENV,
  };
  const loaded = await loadConfig({ path: configPath, env });
  if (!loaded.ok) throw new Error(`test config invalid: ${JSON.stringify(loaded.errors)}`);
  const gateway = await startGateway(loaded.loaded, { log: silentLogger(), stateDir: null });
  return {
    dir,
    configPath,
    upstream,
    gateway,
    env,
    async close() {
      await gateway.stop(100);
      await upstream.close();
      for (const o of others) await o.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a command with stdin from /dev/null in its own process group, killed (group, by pid) after
 * `timeoutMs`. Never rejects: the caller asserts on the result.
 */
export function runBounded(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const kill = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}\nspawn error: ${e.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      kill(); // leftovers of the group (tool subprocesses)
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** `agentbox env <agent> --config <file>` with the built bin; its stdout. */
export async function agentboxEnv(world: AgentWorld, agent: string, extra: string[] = []): Promise<string> {
  const r = await runBounded(
    process.execPath,
    [AGENTBOX_BIN, 'env', agent, '--config', world.configPath, ...extra],
    {
      env: world.env,
      cwd: world.dir,
      timeoutMs: 20_000,
    },
  );
  if (r.code !== 0) throw new Error(`agentbox env ${agent} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** A workdir inside the world (its own, so tools run there). */
export function workdir(world: AgentWorld, name: string): string {
  const d = join(world.dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** The tool results a request carries, as text (`tool` messages in Chat, `tool_result` blocks in Messages). */
export function toolResults(r: Recorded): string[] {
  const text = (c: unknown): string =>
    typeof c === 'string'
      ? c
      : Array.isArray(c)
        ? c.map((p: any) => (typeof p === 'string' ? p : (p?.text ?? ''))).join('')
        : '';
  const out: string[] = [];
  for (const m of (r.body?.messages ?? []) as any[]) {
    if (m.role === 'tool') out.push(text(m.content));
    else if (Array.isArray(m.content))
      for (const b of m.content) if (b?.type === 'tool_result') out.push(text(b.content));
  }
  return out;
}

/** Result text for the assertion messages: what the CLI said, trimmed. */
export function describeRun(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}
