import { loadConfig } from '../../config/load.js';
import { ignoredLines } from '../config-report.js';
import { EXIT, ExitError, err, out } from '../output.js';
import { startNotes } from '../start-notes.js';

export interface StartOptions {
  config?: string;
  port?: string;
  foreground?: boolean;
}

export function parsePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ExitError(EXIT.usage, `--port: not a port number: ${v}`);
  return n;
}

/** `agentbox litellm start --foreground`: validate, then serve in this process until a signal. */
export async function start(opts: StartOptions): Promise<void> {
  const port = parsePort(opts.port);
  const result = await loadConfig({ path: opts.config, env: process.env, port });
  if (!result.ok) {
    for (const e of result.errors) err(`${e.path}: ${e.message}`);
    throw new ExitError(
      EXIT.usage,
      `config invalid: ${result.errors.length} problem(s)${result.path ? ` in ${result.path}` : ''}`,
    );
  }
  if (!opts.foreground) {
    const { startDetached } = await import('./start-detached.js');
    return startDetached(opts, result.loaded);
  }
  for (const line of ignoredLines(result.loaded.ignored)) err(line);
  const { runForeground } = await import('../../gateway/foreground.js');
  const gw = await runForeground(result.loaded, { portOverride: port }).catch((e: Error) => {
    throw new ExitError(EXIT.failure, `agentbox: ${e.message}`);
  });
  out(`agentbox gateway listening on ${gw.url} (${result.loaded.config.models.length} models)`);
  const { deploymentViews } = await import('../../gateway/deployments.js');
  for (const note of startNotes(result.loaded, process.env, deploymentViews(gw.state))) err(note);
}
