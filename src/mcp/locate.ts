import { readFile } from 'node:fs/promises';
import { request, type Dispatcher } from 'undici';
import { loadConfig } from '../config/load.js';
import { stateFile } from '../shared/paths.js';
import type { DaemonTarget, Locate } from './gateway-client.js';

/** The fields of `<state dir>/litellm.json` the shim reads (CONTRACT §2). */
export interface DaemonState {
  pid: number;
  url: string;
  config_path?: string | null;
}

/** What the shim needs from a config: where the daemon would listen and the key it wants. */
export interface ConfigView {
  host: string;
  port: number;
  masterKey?: string;
}

export interface LocateDeps {
  env: NodeJS.ProcessEnv;
  /** Reads a config (an explicit path, or §2's search when undefined); null when it cannot be loaded. */
  readConfig?: (path: string | undefined, env: NodeJS.ProcessEnv) => Promise<ConfigView | null>;
  /** True when something answers the gateway's liveness route at `url`. */
  probe?: (url: string) => Promise<boolean>;
  dispatcher?: Dispatcher;
}

/**
 * Finds the daemon: the state file when its pid is alive (the key from the config it was started
 * with), else the config's host and port when a liveness probe answers there (a foreground daemon).
 * `AGENTBOX_API_KEY` in the environment wins over the config's master key.
 */
export function createLocator(deps: LocateDeps): Locate {
  const readConfig = deps.readConfig ?? readConfigView;
  const probe = deps.probe ?? ((url: string) => probeLiveness(url, deps.dispatcher));
  const envKey = deps.env.AGENTBOX_API_KEY?.trim() || undefined;
  return async (): Promise<DaemonTarget | null> => {
    const state = await readDaemonState(stateFile(deps.env));
    if (state && pidAlive(state.pid)) {
      const cfg = envKey || !state.config_path ? null : await readConfig(state.config_path, deps.env);
      return { url: state.url.replace(/\/+$/, ''), key: envKey ?? cfg?.masterKey };
    }
    const cfg = await readConfig(undefined, deps.env);
    if (!cfg) return null;
    const url = `http://${connectHost(cfg.host)}:${cfg.port}`;
    return (await probe(url)) ? { url, key: envKey ?? cfg.masterKey } : null;
  };
}

export async function readDaemonState(path: string): Promise<DaemonState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<DaemonState>;
    if (typeof v.pid !== 'number' || typeof v.url !== 'string' || !/^https?:\/\//.test(v.url)) return null;
    return { pid: v.pid, url: v.url, config_path: typeof v.config_path === 'string' ? v.config_path : null };
  } catch {
    return null;
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A wildcard listen address is reached on loopback. */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function readConfigView(path: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigView | null> {
  try {
    const r = await loadConfig({ path, env });
    if (!r.ok) return null;
    const c = r.loaded.config;
    return { host: c.host, port: c.port, masterKey: c.masterKey };
  } catch {
    return null;
  }
}

async function probeLiveness(url: string, dispatcher?: Dispatcher): Promise<boolean> {
  try {
    const res = await request(`${url}/health/liveliness`, {
      dispatcher,
      headersTimeout: 1500,
      bodyTimeout: 1500,
      signal: AbortSignal.timeout(2000),
    });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}
