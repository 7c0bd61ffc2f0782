import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../shared/log.js';
import { START_COMMAND } from './errors.js';

/** The CLI entry of this installation (bin/agentbox.js), two levels above src/mcp or dist/mcp. */
export const AGENTBOX_BIN = fileURLToPath(new URL('../../bin/agentbox.js', import.meta.url));

export interface AutostartOptions {
  env: NodeJS.ProcessEnv;
  log?: Logger;
  /** The CLI to run `litellm start` with; this installation's bin by default. */
  bin?: string;
  /** How long `litellm start` may take, readiness wait included. */
  timeoutMs?: number;
}

/**
 * `agentbox mcp --autostart`: runs this installation's own `agentbox litellm start` (which detaches
 * the daemon and waits for readiness) and resolves when it exits 0. Concurrent callers share one
 * start; a later call after a failure tries again. The child's output goes to stderr, never stdout.
 */
export function createAutostart(opts: AutostartOptions): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => {
    running ??= startOnce(opts).finally(() => {
      running = null;
    });
    return running;
  };
}

function startOnce(opts: AutostartOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  opts.log?.info({ command: START_COMMAND }, 'starting the gateway (--autostart)');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? AGENTBOX_BIN, 'litellm', 'start'], {
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`\`${START_COMMAND}\` did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run \`${START_COMMAND}\`: ${e.message}`));
    });
    // 'exit', not 'close': the detached daemon may hold inherited pipes open after the CLI is done.
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      if (code === 0) return resolve();
      const last = tail.trim().split('\n').slice(-5).join('\n');
      reject(new Error(`\`${START_COMMAND}\` failed (${sig ?? `exit ${code}`})${last ? `:\n${last}` : ''}`));
    });
  });
}
