import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OFFLINE_ENV, runBounded, type RunResult } from './agents-harness.js';

/**
 * `claude -p PROMPT` pointed straight at a gateway URL (no `agentbox env`, no master key), offline,
 * in `<dir>/work` with `<dir>/home` as HOME; `auth` is how it logs in (an OAuth token or an API key).
 */
export async function runClaudeDirect(
  claude: string,
  dir: string,
  gatewayUrl: string,
  auth: { CLAUDE_CODE_OAUTH_TOKEN: string } | { ANTHROPIC_API_KEY: string },
  prompt = 'say hi',
): Promise<RunResult> {
  const cwd = join(dir, 'work');
  mkdirSync(cwd, { recursive: true });
  return runBounded(claude, ['-p', prompt], {
    cwd,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: join(dir, 'home'),
      ANTHROPIC_BASE_URL: gatewayUrl,
      ...auth,
      CLAUDE_CODE_MAX_RETRIES: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      ...OFFLINE_ENV,
    },
  });
}
