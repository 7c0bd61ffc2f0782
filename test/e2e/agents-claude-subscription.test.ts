import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import {
  startFakeUpstream,
  type Behaviour,
  type FakeUpstream,
  type Recorded,
} from '../helpers/fake-upstream.js';
import { AGENTBOX_BIN, describeRun, freePort, requireCli, runBounded } from './agents-harness.js';
import { runClaudeDirect } from './claude-direct.js';

/**
 * The real Claude Code CLI logged in with a (fake) Pro/Max OAuth token, through a gateway whose
 * chain is an `auth: client` Anthropic deployment first and a metered API-key deployment second.
 * The fake plan upstream accepts only the client's token with the oauth beta merged into Claude
 * Code's own betas, then answers with the plan's usage-limit 429; the session goes on on the
 * metered deployment, which sees the metered key and never the token.
 */

const CLAUDE = requireCli('claude');
vi.setConfig({ testTimeout: 90_000 });

const OAT = 'sk-ant-oat01-e2e-subscription-token-0123456789abcdef';
const METERED_KEY = 'sk-ant-api03-e2e-metered-key';

function planLimited(r: Recorded): Behaviour {
  const beta = String(r.headers['anthropic-beta'] ?? '').split(',');
  const ok =
    r.headers.authorization === `Bearer ${OAT}` &&
    beta.includes('oauth-2025-04-20') &&
    !r.headers['x-api-key'];
  if (!ok)
    return {
      kind: 'status',
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'token or betas not as sent' } },
    };
  return {
    kind: 'status',
    status: 429,
    body: { type: 'error', error: { type: 'rate_limit_error', message: 'usage limit reached' } },
    headers: {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    },
  };
}

describe('claude -p on a subscription, spilling to the metered key', () => {
  let dir: string;
  let plan: FakeUpstream;
  let metered: FakeUpstream;
  let gateway: Gateway;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-sub-e2e-'));
    plan = await startFakeUpstream('anthropic', { kind: 'decide', decide: planLimited });
    metered = await startFakeUpstream('anthropic', { kind: 'ok', text: 'Answered on the metered key.' });
    const port = await freePort();
    const configPath = join(dir, 'config.yml');
    writeFileSync(
      configPath,
      [
        'litellm:',
        `  port: ${port}`,
        '  providers:',
        `    claude_max: { type: anthropic, auth: client, api_base: "${plan.apiBase}" }`,
        `    anthropic: { api_base: "${metered.apiBase}", api_key: ${METERED_KEY} }`,
        '  models:',
        '    "claude-*":',
        '      - { provider: claude_max, model: claude-sonnet-4-5 }',
        '      - { provider: anthropic, model: claude-sonnet-4-5 }',
        '  router: { num_retries: 0, timeout: 30 }',
        '',
      ].join('\n'),
    );
    const loaded = await loadConfig({ path: configPath, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    gateway = await startGateway(loaded.loaded, { log: silentLogger(), stateDir: join(dir, 'state') });
  });
  afterAll(async () => {
    await gateway?.stop(100);
    await plan?.close();
    await metered?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('forwards the OAuth token and betas, and goes on on the metered deployment after the usage-limit 429', async () => {
    const run = await runClaudeDirect(CLAUDE, dir, gateway.url, { CLAUDE_CODE_OAUTH_TOKEN: OAT });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain('Answered on the metered key.');

    const toPlan = plan.requests.filter((r) => r.path.startsWith('/v1/messages'));
    expect(toPlan.length, describeRun(run)).toBeGreaterThan(0);
    const first = toPlan[0];
    expect(first.headers.authorization).toBe(`Bearer ${OAT}`);
    expect(first.headers['x-api-key']).toBeUndefined();
    const betas = String(first.headers['anthropic-beta']).split(',');
    expect(betas).toContain('oauth-2025-04-20');
    // Claude Code's own betas are kept beside it (merged, never replaced).
    expect(betas.filter((b) => b !== 'oauth-2025-04-20').length).toBeGreaterThan(0);

    const toMetered = metered.requests.filter((r) => r.path.startsWith('/v1/messages'));
    expect(toMetered.length).toBeGreaterThan(0);
    for (const r of toMetered) {
      expect(r.headers['x-api-key']).toBe(METERED_KEY);
      expect(JSON.stringify(r.headers)).not.toContain(OAT);
    }
    // After the usage limit the plan is not asked again while it cools down.
    const limitedAt = plan.requests.indexOf(first);
    expect(plan.requests.length - limitedAt).toBe(1);
  });

  it('`agentbox litellm spend` tells the metered requests from the plan ones', async () => {
    await gateway.stop(100); // flushes the ledger
    const r = await runBounded(process.execPath, [AGENTBOX_BIN, 'litellm', 'spend', '--json'], {
      cwd: dir,
      timeoutMs: 20_000,
      env: { PATH: process.env.PATH, HOME: join(dir, 'home'), AGENTBOX_STATE_DIR: join(dir, 'state') },
    });
    expect(r.code, describeRun(r)).toBe(0);
    const rows = (
      JSON.parse(r.stdout) as {
        rows: Array<{ deployment: string; requests: number; plan_requests?: number }>;
      }
    ).rows;
    const metered = rows.filter((x) => x.deployment === 'anthropic/claude-sonnet-4-5');
    expect(metered.reduce((n, x) => n + x.requests, 0)).toBeGreaterThan(0);
    expect(metered.every((x) => x.plan_requests === undefined)).toBe(true);
  });
});
