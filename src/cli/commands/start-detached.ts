import { existsSync } from 'node:fs';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { daemonBundlePath } from '../../shared/build-files.js';
import { formatIssue } from '../../config/format-issues.js';
import type { LoadedConfig } from '../../config/types.js';
import { unpricedBudgetIssues } from '../../gateway/usage/unpriced.js';
import { logFile, PRIVATE_DIR, stateDir } from '../../shared/paths.js';
import type { ReadyMessage } from '../../shared/ready-signal.js';
import type { DaemonState } from '../../shared/state-file.js';
import { clientUrl, findDaemon, type Health } from '../daemon-client.js';
import { spawnReporting } from '../daemon-spawn.js';
import { startNotes } from '../start-notes.js';
import { ignoredLines } from '../config-report.js';
import { problemsIn } from '../log-format.js';
import { EXIT, ExitError, err, out } from '../output.js';
import { portFree, portOwner } from '../port-owner.js';
import { startProgress } from '../progress.js';
import { acquireLock } from '../start-lock.js';
import { parsePort, type StartOptions } from './start.js';

const READY_TIMEOUT_MS = 15_000;
const ROTATE_BYTES = 10 * 1024 * 1024;

type UnreachableDeployment = Health['deployments'][number];

/**
 * `agentbox litellm start` (detached): under a lock in the state dir, check for a running daemon
 * (a stale state file is removed), check the port, spawn `daemon-main.js` detached with its output
 * appended to the log, and wait for the ready line it sends once it listens and has written the
 * state file (or for its exit).
 */
export async function startDetached(opts: StartOptions, loaded: LoadedConfig): Promise<void> {
  const env = process.env;
  const running = await findDaemon(env);
  if (running) return alreadyRunning(running, opts, loaded);

  const dir = stateDir(env);
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  const release = await acquireLock(join(dir, 'litellm.lock'), {
    onWait: (holder) => err(`waiting for another agentbox start${holder ? ` (pid ${holder})` : ''}…`),
  }).catch((e: Error) => {
    throw new ExitError(EXIT.failure, `agentbox: ${e.message}`);
  });
  try {
    const again = await findDaemon(env);
    if (again) return alreadyRunning(again, opts, loaded);
    const { state, deployments } = await spawnDaemon(opts, loaded, env);
    const models = loaded.config.models.length;
    out(
      `agentbox gateway running on ${clientUrl(state)} (pid ${state.pid}, ${models} model${models === 1 ? '' : 's'})`,
    );
    err(`config: ${state.config_path ?? '(embedded defaults)'} · log: ${logFile(env)}`);
    for (const note of startNotes(loaded, env, deployments)) err(note);
  } finally {
    await release();
  }
}

/**
 * Already running: exit 0 when it runs as asked; when the config file or the `--port` asked for
 * differ from the running daemon's, say what it runs with and how to switch (exit 1).
 */
function alreadyRunning(state: DaemonState, opts: StartOptions, loaded: LoadedConfig): void {
  const differences = runningDifferences(state, opts, loaded);
  if (differences.length === 0) {
    out(`agentbox gateway already running on ${clientUrl(state)} (pid ${state.pid})`);
    return;
  }
  const flags = [
    ...(loaded.path ? [`--config ${loaded.path}`] : []),
    ...(opts.port !== undefined ? [`--port ${opts.port}`] : []),
  ].join(' ');
  throw new ExitError(
    EXIT.failure,
    `agentbox: the gateway is already running (pid ${state.pid}, ${clientUrl(state)}) with ${differences.join(' and ')}; ` +
      `to switch: agentbox litellm restart${flags ? ` ${flags}` : ''}`,
  );
}

/** What the running daemon does differently from this start's request, in words. */
export function runningDifferences(state: DaemonState, opts: StartOptions, loaded: LoadedConfig): string[] {
  const out: string[] = [];
  const asked = loaded.path ?? null;
  if (asked !== state.config_path) {
    out.push(
      `${state.config_path ? `config ${state.config_path}` : 'the embedded defaults'}, not ${asked ?? 'the embedded defaults'}`,
    );
  }
  const port = parsePort(opts.port);
  if (port !== undefined && port !== 0 && port !== state.port) out.push(`port ${state.port}, not ${port}`);
  return out;
}

async function spawnDaemon(
  opts: StartOptions,
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
): Promise<ReadyMessage<UnreachableDeployment>> {
  const { host, port } = loaded.config;
  if (port !== 0 && !(await portFree(host, port).catch(() => true))) {
    const owner = await portOwner(port).catch(() => undefined);
    throw new ExitError(
      EXIT.failure,
      `agentbox: port ${port} on ${host} is already in use${owner ? ` by ${owner}` : ''}; ` +
        'choose another with --port, LITELLM_PORT or litellm.port',
    );
  }

  const log = logFile(env);
  await rotateLog(log);
  const logStart = await stat(log).then(
    (s) => s.size,
    () => 0,
  );
  const args = [daemonEntry()];
  if (loaded.path) args.push('--config', loaded.path);
  const portFlag = parsePort(opts.port);
  if (portFlag !== undefined) args.push('--port', String(portFlag));

  const daemon = spawnReporting<UnreachableDeployment>(process.execPath, args, {
    log,
    cwd: stateDir(env),
    env,
  });
  // What start says before the progress line is worked out while the daemon boots.
  await printStartWarnings(loaded).catch((e: Error) => err(`warning: ${e.message}`));
  const progress = startProgress(`starting the gateway on ${host}:${port === 0 ? '(any port)' : port} …`);
  try {
    const outcome = await daemon.outcome(READY_TIMEOUT_MS);
    progress.done();
    if ('ready' in outcome) return outcome.ready;
    if ('exitCode' in outcome) {
      throw new ExitError(
        outcome.exitCode === EXIT.usage ? EXIT.usage : EXIT.failure,
        await failure(log, logStart),
      );
    }
    try {
      process.kill(daemon.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    throw new ExitError(
      EXIT.failure,
      `agentbox: the gateway did not become ready within ${READY_TIMEOUT_MS / 1000} s; stopped it. See: agentbox litellm logs`,
    );
  } finally {
    progress.done();
  }
}

/** Config warnings, budgets no price can enforce, keys not honoured, and `enabled: false`. */
async function printStartWarnings(loaded: LoadedConfig): Promise<void> {
  for (const w of loaded.warnings) err(`warning: ${formatIssue(w)}`);
  const { createPricer } = await import('../../gateway/usage/pricing.js');
  for (const w of unpricedBudgetIssues(loaded.config, createPricer())) err(`warning: ${formatIssue(w)}`);
  for (const line of ignoredLines(loaded.ignored)) err(line);
  if (!loaded.config.enabled) {
    err(
      'note: litellm.enabled is false (it decides whether a container starts the gateway); starting it as asked',
    );
  }
}

/**
 * The daemon `start` spawns: the bundle `npm run build` makes of `gateway/daemon-main.js`
 * (scripts/bundle-daemon.mjs), which is ready sooner. A build without it is refused, not replaced.
 */
function daemonEntry(): string {
  const bundle = daemonBundlePath();
  if (!existsSync(bundle)) {
    throw new ExitError(
      EXIT.failure,
      `agentbox: ${bundle} is missing: this build is incomplete; run npm run build (or npm ci)`,
    );
  }
  return bundle;
}

/** Why the daemon exited: the error lines it logged since it was spawned. */
async function failure(log: string, from: number): Promise<string> {
  let text = '';
  try {
    const fh = await open(log, 'r');
    try {
      const size = (await fh.stat()).size;
      const start = Math.max(from, size - 64 * 1024);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      text = buf.toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    // no log
  }
  const problems = problemsIn(text).slice(-20);
  const head = 'agentbox: the gateway failed to start';
  return problems.length ? `${head}:\n${problems.map((p) => `  ${p}`).join('\n')}` : `${head}; see ${log}`;
}

/** Keeps the log bounded: past 10 MB it becomes `litellm.log.1` (replacing the previous one). */
async function rotateLog(log: string): Promise<void> {
  try {
    if ((await stat(log)).size > ROTATE_BYTES) await rename(log, `${log}.1`);
  } catch {
    // no log yet
  }
}
