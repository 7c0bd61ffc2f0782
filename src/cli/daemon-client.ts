import { rm } from 'node:fs/promises';
import { loadConfig } from '../config/load.js';
import { stateFile } from '../shared/paths.js';
import { daemonAlive, readState, removeState, type DaemonState } from '../shared/state-file.js';
import type { RoutingJson } from './routing-columns.js';

/**
 * How the CLI finds and talks to the running daemon: the state file names it, /proc or a signal
 * probe says whether it is still alive (a stale file is removed), HTTP asks it the rest.
 */
export async function findDaemon(env: NodeJS.ProcessEnv = process.env): Promise<DaemonState | undefined> {
  const file = stateFile(env);
  const state = await readState(file);
  if (!state) {
    // Written atomically, so a file that does not parse is not half-written: it is junk.
    await rm(file, { force: true }).catch(() => undefined);
    return undefined;
  }
  if (daemonAlive(state.pid)) return state;
  await removeState(file, state.pid).catch(() => undefined);
  return undefined;
}

/** The URL to reach the daemon from this machine (a wildcard listen address is reached on loopback). */
export function clientUrl(state: Pick<DaemonState, 'url'>): string {
  return state.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

export class DaemonHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DaemonHttpError';
  }
}

/**
 * GET a JSON route of the daemon. On 401 (a `master_key` is configured) it reads the key from the
 * daemon's config file and asks again; the key is only ever sent to the daemon.
 */
export async function daemonGet<T>(
  state: DaemonState,
  path: string,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<T> {
  const url = `${clientUrl(state)}${path}`;
  const get = (key?: string): Promise<Response> =>
    fetch(url, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
    });
  let res = await get();
  if (res.status === 401) {
    await res.body?.cancel();
    const key = await masterKeyFor(state, opts.env ?? process.env);
    if (typeof key !== 'string') {
      throw new DaemonHttpError(
        401,
        `${path}: the gateway requires its master_key, and the CLI cannot read it: ${key.problem}`,
      );
    }
    res = await get(key);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as { error?: { message?: string } };
      message = body.error?.message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new DaemonHttpError(res.status, `${path}: HTTP ${res.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

async function masterKeyFor(
  state: DaemonState,
  env: NodeJS.ProcessEnv,
): Promise<string | { problem: string }> {
  const result = await loadConfig({ path: state.config_path ?? undefined, env });
  if (!result.ok)
    return { problem: `${result.path ?? 'the config'} is invalid (${result.errors.length} problem(s))` };
  return (
    result.loaded.config.masterKey ?? { problem: `${result.loaded.path ?? 'the config'} sets no master_key` }
  );
}

/** `/health/readiness`; without the master key (when keys exist) it has no config_path and no errors. */
export interface Readiness {
  status: string;
  version: string;
  config_path?: string | null;
  config_generation: number;
  last_reload: {
    at: string;
    ok: boolean;
    errors?: Array<{ path: string; message: string }>;
    needsRestart?: string[];
    needs_restart?: string[];
  };
  uptime_s: number;
  /** Keys of a LiteLLM proxy file the daemon does not honour (absent for agentbox files). */
  ignored?: Array<{ path: string; value: string; reason: string }>;
}

export interface Health extends Readiness {
  deployments: Array<
    {
      alias: string;
      provider: string;
      model: string;
      api_base: string;
      key: string;
      state: string;
      cooldown_remaining_s?: number;
      reason?: string;
      billing?: 'plan' | 'metered';
    } & Partial<RoutingJson>
  >;
  requests: { total: number; failed: number; in_flight?: number; plan?: number; metered?: number };
  /** Budgets that cannot be enforced for a deployment without a known price (absent from older daemons). */
  budget_warnings?: Array<{ path: string; message: string }>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The listen-address changes a reload could not apply (the daemon reports them in either spelling). */
export function needsRestart(r: Readiness['last_reload']): string[] {
  return r.needsRestart ?? r.needs_restart ?? [];
}
