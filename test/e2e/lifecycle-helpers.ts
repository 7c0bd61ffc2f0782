import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** The built CLI, run as a new user would: `node bin/agentbox.js …` in a temporary HOME. */
export const BIN = new URL('../../bin/agentbox.js', import.meta.url).pathname;
export const REPO = new URL('../..', import.meta.url).pathname;

export interface DaemonStateJson {
  pid: number;
  port: number;
  url: string;
  started_at: string;
  config_path: string | null;
  version: string;
}

export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  home: string;
  env: Record<string, string>;
  configPath: string;
  stateDir: string;
  stateFile: string;
  logFile: string;
  cli(args: string[], opts?: { timeout?: number }): Promise<CliResult>;
  writeConfig(yaml: string, how?: 'atomic' | 'in-place'): void;
  state(): DaemonStateJson | undefined;
  /** Kills any daemon this sandbox started (by the pid in its state file) and removes the directory. */
  cleanup(): Promise<void>;
}

export function makeSandbox(): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'agentbox-e2e-'));
  const configDir = join(home, '.config', 'agentbox');
  mkdirSync(configDir, { recursive: true });
  const stateDir = join(home, '.local', 'state', 'agentbox');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    LITELLM_LOG_LEVEL: 'info',
  };
  const configPath = join(configDir, 'config.yml');
  const stateFile = join(stateDir, 'litellm.json');
  const pids = new Set<number>();
  const state = (): DaemonStateJson | undefined => {
    try {
      const s = JSON.parse(readFileSync(stateFile, 'utf8')) as DaemonStateJson;
      pids.add(s.pid);
      return s;
    } catch {
      return undefined;
    }
  };
  return {
    home,
    env,
    configPath,
    stateDir,
    stateFile,
    logFile: join(stateDir, 'litellm.log'),
    async cli(args, opts = {}) {
      const r = await execa(process.execPath, [BIN, ...args], {
        env,
        extendEnv: false,
        reject: false,
        cwd: home,
        timeout: opts.timeout ?? 30_000,
      });
      state();
      return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    writeConfig(yaml, how = 'atomic') {
      if (how === 'in-place') {
        writeFileSync(configPath, yaml);
        return;
      }
      const tmp = `${configPath}.tmp-${process.pid}`;
      writeFileSync(tmp, yaml);
      renameSync(tmp, configPath);
    },
    state,
    async cleanup() {
      state();
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A config whose aliases all point at one fake OpenAI-compatible upstream. */
export function fakeConfig(apiBase: string, aliases: string[], extra = ''): string {
  const models = aliases.map((a) => `    ${a}:\n      - { provider: fake, model: ${a}-model }`).join('\n');
  return `litellm:
  providers:
    fake: { type: openai_compatible, api_base: ${apiBase}, api_key: fake-key }
  models:
${models}
${extra}`;
}

export async function chat(
  url: string,
  model: string,
  opts: { key?: string; stream?: boolean } = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
    },
    body: JSON.stringify({
      model,
      stream: opts.stream ?? false,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  return { status: res.status, text: await res.text() };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then returns the last value). */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (!last && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await check();
  }
  return last;
}

/** A process that exists and is not a zombie waiting for its (re)parent to reap it. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
