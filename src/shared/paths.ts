import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the gateway creates holds keys' neighbours (spend, logs): owner-only directories and files. */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** File locations of CONTRACT §2. Every function reads the environment it is given (default: process.env). */
type Env = NodeJS.ProcessEnv;

export function configCandidates(env: Env = process.env, explicit?: string): string[] {
  if (explicit) return [explicit];
  if (env.AGENTBOX_CONFIG) return [env.AGENTBOX_CONFIG];
  const out: string[] = [];
  if (env.XDG_CONFIG_HOME) out.push(join(env.XDG_CONFIG_HOME, 'agentbox', 'config.yml'));
  out.push(join(env.HOME || homedir(), '.config', 'agentbox', 'config.yml'));
  return out;
}

/** Where `config init` writes and where a user is told to put their file. */
export function defaultConfigPath(env: Env = process.env): string {
  return configCandidates(env)[0];
}

export function stateDir(env: Env = process.env): string {
  if (env.AGENTBOX_STATE_DIR) return env.AGENTBOX_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'agentbox');
  return join(env.HOME || homedir(), '.local', 'state', 'agentbox');
}

export function stateFile(env: Env = process.env): string {
  return join(stateDir(env), 'litellm.json');
}

export function logFile(env: Env = process.env): string {
  return join(stateDir(env), 'litellm.log');
}
