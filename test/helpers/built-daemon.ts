import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const REPO = new URL('../..', import.meta.url).pathname;
export const DAEMON = join(REPO, 'dist/gateway/daemon-main.js');
export const BIN = join(REPO, 'bin/agentbox.js');

export interface BuiltDaemon {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | string | null>;
}

/** Start the built daemon (`dist/`) on port 0 and wait (bounded) for its state file to name it. */
export async function startBuiltDaemon(opts: {
  config: string;
  env: Record<string, string>;
  stateDir: string;
}): Promise<BuiltDaemon> {
  if (!existsSync(DAEMON)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const stateFile = join(opts.stateDir, 'litellm.json');
  rmSync(stateFile, { force: true });
  const child = spawn(process.execPath, [DAEMON, '--config', opts.config, '--port', '0'], {
    env: { ...opts.env, AGENTBOX_STATE_DIR: opts.stateDir },
    stdio: 'ignore',
  });
  const exited = new Promise<number | string | null>((r) =>
    child.once('exit', (code, signal) => r(code ?? signal)),
  );
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}`);
    try {
      const s = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
      if (s.pid === child.pid) return { child, url: s.url, exited };
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('the daemon did not start within 15 s');
}
