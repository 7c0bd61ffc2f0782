import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Check } from './doctor-checks.js';

/**
 * Whether the agents' settings point at the gateway: Claude Code by ANTHROPIC_BASE_URL in this
 * environment, Codex by the `agentbox` provider in `$CODEX_HOME/config.toml`. An agent that is not
 * set up at all is a note (`skip`), one pointed somewhere else is wrong (`fail`).
 */
export async function agentChecks(url: string | undefined, env: NodeJS.ProcessEnv): Promise<Check[]> {
  return [claudeCheck(url, env), await codexCheck(url, env)];
}

const same = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

function claudeCheck(url: string | undefined, env: NodeJS.ProcessEnv): Check {
  const base = env.ANTHROPIC_BASE_URL?.trim();
  const fix = 'eval "$(agentbox env claude)"';
  if (!base) {
    return {
      check: 'agent claude',
      status: 'skip',
      detail: 'ANTHROPIC_BASE_URL is not set: Claude Code talks to Anthropic directly',
      fix,
    };
  }
  if (!url) {
    return {
      check: 'agent claude',
      status: 'fail',
      detail: `ANTHROPIC_BASE_URL=${base}, but the gateway is not running`,
      fix: 'agentbox litellm start',
    };
  }
  if (!same(base, url)) {
    return {
      check: 'agent claude',
      status: 'fail',
      detail: `ANTHROPIC_BASE_URL=${base}, but the gateway listens on ${url}`,
      fix,
    };
  }
  return { check: 'agent claude', status: 'ok', detail: `ANTHROPIC_BASE_URL points at ${url}` };
}

async function codexCheck(url: string | undefined, env: NodeJS.ProcessEnv): Promise<Check> {
  const file = join(env.CODEX_HOME || join(env.HOME || homedir(), '.codex'), 'config.toml');
  const fix = `agentbox env codex  (and put its lines in ${file})`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {
      check: 'agent codex',
      status: 'skip',
      detail: `no ${file}: Codex is not set up for the gateway`,
      fix,
    };
  }
  const table = /^\[model_providers\.agentbox\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1];
  const base = table ? /^\s*base_url\s*=\s*"([^"]*)"/m.exec(table)?.[1] : undefined;
  if (!base) {
    return {
      check: 'agent codex',
      status: 'skip',
      detail: `${file} has no [model_providers.agentbox] base_url`,
      fix,
    };
  }
  if (!url) {
    return {
      check: 'agent codex',
      status: 'fail',
      detail: `${file} points Codex at ${base}, but the gateway is not running`,
      fix: 'agentbox litellm start',
    };
  }
  if (!same(base, `${url}/v1`)) {
    return {
      check: 'agent codex',
      status: 'fail',
      detail: `${file} points Codex at ${base}, but the gateway listens on ${url}/v1`,
      fix,
    };
  }
  const selected = /^\s*model_provider\s*=\s*"agentbox"/m.test(text.split(/^\[/m)[0]);
  return selected
    ? { check: 'agent codex', status: 'ok', detail: `${file} points Codex at ${base}` }
    : {
        check: 'agent codex',
        status: 'skip',
        detail: `${file} defines the agentbox provider but does not select it (model_provider = "agentbox")`,
        fix,
      };
}
