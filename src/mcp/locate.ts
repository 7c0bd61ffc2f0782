import { request, type Dispatcher } from 'undici';
import { stateFile } from '../shared/paths.js';
import { daemonAlive, readState } from '../shared/state-file.js';
import type { DaemonTarget, Locate } from './gateway-client.js';

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
  /** Whether the state file's pid is a live gateway; `daemonAlive` (pid probe plus /proc check) by default. */
  alive?: (pid: number) => boolean;
}

/**
 * Finds the daemon: the state file when its pid is alive (the key from the config it was started
 * with), else the config's host and port when a liveness probe answers there (a foreground daemon).
 * `AGENTBOX_API_KEY` in the environment wins over the config's master key.
 */
export function createLocator(deps: LocateDeps): Locate {
  const readConfig = deps.readConfig ?? readConfigView;
  const probe = deps.probe ?? ((url: string) => probeLiveness(url, deps.dispatcher));
  const alive = deps.alive ?? daemonAlive;
  const envKey = deps.env.AGENTBOX_API_KEY?.trim() || undefined;
  return async (): Promise<DaemonTarget | null> => {
    const state = await readState(stateFile(deps.env));
    if (state && alive(state.pid)) {
      const cfg = envKey || !state.config_path ? null : await readConfig(state.config_path, deps.env);
      return { url: state.url.replace(/\/+$/, ''), key: envKey ?? cfg?.masterKey };
    }
    const cfg = await readConfig(undefined, deps.env);
    if (!cfg) return null;
    const url = `http://${connectHost(cfg.host)}:${cfg.port}`;
    return (await probe(url)) ? { url, key: envKey ?? cfg.masterKey } : null;
  };
}

/** A wildcard listen address is reached on loopback. */
export function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function readConfigView(path: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigView | null> {
  try {
    const { loadConfig } = await import('../config/load.js');
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
