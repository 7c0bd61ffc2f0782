import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real agent CLIs (Claude Code, Codex, Gemini CLI, the MCP inspector) the end-to-end tests
 * drive. They are not dependencies of agentbox: `test/e2e/clients/` has its own pinned
 * package.json and package-lock.json, installed here on first use (`npm ci`, from the npm
 * registry) and kept as a cache in `test/e2e/clients/node_modules` until the lockfile changes.
 */
export const CLIENTS_DIR = fileURLToPath(new URL('../e2e/clients/', import.meta.url));

export type ClientName = 'claude' | 'codex' | 'gemini' | 'mcp-inspector-cli';

const PACKAGES: Record<ClientName, string> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
  'mcp-inspector-cli': '@modelcontextprotocol/inspector-cli',
};

const STAMP = join(CLIENTS_DIR, 'node_modules', '.agentbox-lock-copy.json');
const LOCK_DIR = join(CLIENTS_DIR, '.installing');
const INSTALL_TIMEOUT_MS = 10 * 60_000;

function installed(): boolean {
  if (!existsSync(STAMP)) return false;
  return readFileSync(STAMP, 'utf8') === readFileSync(join(CLIENTS_DIR, 'package-lock.json'), 'utf8');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Take the install lock (a directory), waiting for another test worker that holds it. */
function lock(): void {
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      return;
    } catch {
      // A lock older than the install timeout was left by a killed run.
      try {
        if (Date.now() - statSync(LOCK_DIR).mtimeMs > INSTALL_TIMEOUT_MS)
          rmSync(LOCK_DIR, { recursive: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR} (another install?)`);
      sleepSync(500);
    }
  }
}

/** Install the pinned clients unless the cache already matches the lockfile. Throws, never skips. */
export function ensureClients(): void {
  if (installed()) return;
  lock();
  try {
    if (installed()) return;
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: CLIENTS_DIR,
      encoding: 'utf8',
      timeout: INSTALL_TIMEOUT_MS,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    if (r.status !== 0)
      throw new Error(
        `installing the e2e clients (npm ci in ${CLIENTS_DIR}) failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(-600)}`,
      );
    writeFileSync(STAMP, readFileSync(join(CLIENTS_DIR, 'package-lock.json'), 'utf8'));
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** The path of a client's executable, installing the clients first when needed. */
export function clientBin(name: ClientName): string {
  ensureClients();
  const bin = join(CLIENTS_DIR, 'node_modules', '.bin', name);
  if (!existsSync(bin)) throw new Error(`${bin} is missing after installing ${PACKAGES[name]}`);
  return bin;
}
