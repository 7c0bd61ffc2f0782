import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR } from './paths.js';

/** `<state dir>/litellm.json`: where a running daemon says it is (CONTRACT §2). */
export interface DaemonState {
  pid: number;
  port: number;
  url: string;
  /** ISO time the daemon started listening. */
  started_at: string;
  /** The config file the daemon reads (and reloads); null for the embedded defaults. */
  config_path: string | null;
  version: string;
  /** The `--port` the daemon was started with, so `restart` keeps it. */
  port_override?: number;
}

/** Writes the state atomically: a temporary file in the same directory, then rename. */
export async function writeState(file: string, state: DaemonState): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: PRIVATE_DIR });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** The state file's content, or undefined when it is missing or unreadable. */
export async function readState(file: string): Promise<DaemonState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseState(text);
}

export function parseState(text: string): DaemonState | undefined {
  try {
    const v = JSON.parse(text) as Partial<DaemonState>;
    if (typeof v.pid !== 'number' || typeof v.port !== 'number' || typeof v.url !== 'string')
      return undefined;
    return {
      pid: v.pid,
      port: v.port,
      url: v.url,
      started_at: String(v.started_at ?? ''),
      config_path: typeof v.config_path === 'string' ? v.config_path : null,
      version: String(v.version ?? ''),
      ...(typeof v.port_override === 'number' ? { port_override: v.port_override } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Removes the state file, but only while it still names `pid` (when given): a daemon that is
 * shutting down must not remove the file of the one that replaced it.
 */
export async function removeState(file: string, pid?: number): Promise<void> {
  if (pid !== undefined) {
    const current = await readState(file);
    if (current && current.pid !== pid) return;
  }
  await rm(file, { force: true });
}

/** True when a process with this pid exists (ours or not). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and looks like an agentbox gateway. After a reboot or a container
 * restart a state file's pid may belong to an unrelated process; where /proc can tell, that
 * counts as not running.
 */
export function daemonAlive(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch (e) {
    // No /proc (macOS) or not readable: trust the signal probe. Gone meanwhile: not alive.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || !process.platform.startsWith('linux');
  }
  if (cmdline === '') return false; // a zombie
  // A gateway is titled `agentbox-litellm` (daemon-main.ts), or runs as `node …/daemon-main.js` or
  // `node …/agentbox[.js] litellm …` (foreground). Look at the program arguments, not the whole
  // line, which may name a folder called agentbox.
  const args = cmdline.split('\0');
  return args.some((a, i) => {
    const base = a.slice(a.lastIndexOf('/') + 1).trim();
    return (
      base.startsWith('agentbox-litellm') ||
      base === 'daemon-main.js' ||
      (/^agentbox(\.js)?$/.test(base) && args[i + 1] === 'litellm')
    );
  });
}
