import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { readSpend, allRows } from '../../src/gateway/usage/ledger-read.js';
import { startFakeUpstream, type Behaviour } from '../helpers/fake-upstream.js';

/**
 * A Claude subscription first, the metered key second: `auth: client` forwards the client's own
 * OAuth token with the oauth beta merged into its betas and no x-api-key; the plan's usage-limit
 * 429 sends the session to the metered deployment until the plan resets, then back; /health, the
 * ledger and the request log say which requests went where and why.
 */

const OAT = 'sk-ant-oat01-client-subscription-token-0123456789';
const METERED_KEY = 'sk-ant-api03-metered-key';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  open = [];
  dirs = [];
});

function usageLimit(resetInS: number): Behaviour {
  const reset = Math.ceil(Date.now() / 1000) + resetInS;
  return {
    kind: 'status',
    status: 429,
    body: {
      type: 'error',
      error: { type: 'rate_limit_error', message: "This request would exceed your account's rate limit." },
    },
    headers: {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(reset),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'retry-after': String(resetInS),
    },
  };
}

async function world() {
  const plan = await startFakeUpstream('anthropic', { kind: 'ok', text: 'on the plan' });
  const metered = await startFakeUpstream('anthropic', { kind: 'ok', text: 'on the metered key' });
  const yaml = `
litellm:
  providers:
    claude_plan: { type: anthropic, auth: client, api_base: "${plan.apiBase}", headers: { anthropic-beta: "context-1m-2025-08-07" } }
    anthropic: { api_base: "${metered.apiBase}" }
  models:
    "claude-*":
      - { provider: claude_plan, model: claude-sonnet-4-5 }
      - { provider: anthropic, model: claude-sonnet-4-5 }
  router: { num_retries: 0, timeout: 5 }
`;
  const r = loadConfigText(yaml, { env: { ANTHROPIC_API_KEY: METERED_KEY }, port: 0 });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const stateDir = mkdtempSync(join(tmpdir(), 'agentbox-sub-'));
  dirs.push(stateDir);
  const gw = await startGateway(r.loaded, { log, stateDir });
  open.push(plan, metered, gw);
  const client = new Anthropic({ baseURL: gw.url, authToken: OAT, apiKey: null, maxRetries: 0 });
  return { plan, metered, gw, client, lines, stateDir };
}

const ask = (c: Anthropic) =>
  c.messages
    .create(
      { model: 'claude-sonnet-4-5-20250929', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14' } },
    )
    .withResponse();

describe('auth: client (a Claude subscription)', () => {
  it("forwards the client's OAuth token and merges the oauth beta into its own betas, with no x-api-key", async () => {
    const w = await world();
    const { data, response } = await ask(w.client);
    expect(data.content).toEqual([{ type: 'text', text: 'on the plan' }]);
    expect(response.headers.get('x-agentbox-deployment')).toBe('claude_plan/claude-sonnet-4-5');
    const sent = w.plan.requests[0];
    expect(sent.headers.authorization).toBe(`Bearer ${OAT}`);
    // The client's betas, then those the provider's headers configure, then the oauth beta: merged, none lost.
    expect(sent.headers['anthropic-beta']).toBe(
      'claude-code-20250219,interleaved-thinking-2025-05-14,context-1m-2025-08-07,oauth-2025-04-20',
    );
    expect(sent.headers['x-api-key']).toBeUndefined();
    // An OpenAI client with the token is translated and carries it the same way.
    const openai = new OpenAI({ baseURL: `${w.gw.url}/v1`, apiKey: OAT, maxRetries: 0 });
    const c = await openai.chat.completions.create({
      model: 'claude-x',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(c.choices[0].message.content).toBe('on the plan');
    expect(w.plan.requests[1].headers['anthropic-beta']).toBe('context-1m-2025-08-07,oauth-2025-04-20');
  });

  it('the plan is never given the metered key, and the token never reaches the metered deployment or the log', async () => {
    const w = await world();
    w.plan.setBehaviours(usageLimit(3600));
    const { data } = await ask(w.client);
    expect(data.content).toEqual([{ type: 'text', text: 'on the metered key' }]);
    expect(JSON.stringify(w.plan.requests)).not.toContain(METERED_KEY);
    const m = w.metered.requests[0];
    expect(m.headers['x-api-key']).toBe(METERED_KEY);
    expect(m.headers.authorization).toBeUndefined();
    expect(m.headers['anthropic-beta']).toBe('claude-code-20250219,interleaved-thinking-2025-05-14');
    await new Promise((r) => setTimeout(r, 50));
    expect(w.lines.join('')).not.toContain('oat01');
  });

  it('on the usage limit the session spills to the metered deployment until the reset, then returns', async () => {
    const w = await world();
    w.plan.setBehaviours(usageLimit(2), { kind: 'ok', text: 'back on the plan' });
    const first = await ask(w.client);
    expect(first.data.content).toEqual([{ type: 'text', text: 'on the metered key' }]);
    expect(first.response.headers.get('x-agentbox-fallbacks')).toBe('1');
    // While the plan is limited it is not asked at all.
    const second = await ask(w.client);
    expect(second.response.headers.get('x-agentbox-deployment')).toBe('anthropic/claude-sonnet-4-5');
    expect(w.plan.requests).toHaveLength(1);

    const health = (await (await fetch(`${w.gw.url}/health`)).json()) as {
      deployments: Array<{ provider: string; billing: string; state: string }>;
      requests: { plan: number; metered: number };
    };
    expect(health.deployments.map((d) => [d.provider, d.billing, d.state])).toEqual([
      ['claude_plan', 'plan', 'cooling_down'],
      ['anthropic', 'metered', 'ok'],
    ]);
    expect(health.requests).toMatchObject({ plan: 0, metered: 2 });

    await new Promise((r) => setTimeout(r, 3100));
    const third = await ask(w.client);
    expect(third.data.content).toEqual([{ type: 'text', text: 'back on the plan' }]);
    expect(w.plan.requests).toHaveLength(2);

    await new Promise((r) => setTimeout(r, 50));
    const reqLines = w.lines
      .map((l) => JSON.parse(l) as Record<string, any>)
      .filter((l) => l.msg === 'request');
    expect(reqLines[0].switched).toEqual([
      expect.stringMatching(
        /^claude_plan\/claude-sonnet-4-5: plan usage limit reached \(five_hour\); resets at 20\d\d-/,
      ),
    ]);
    expect(reqLines[1].switched).toEqual([
      expect.stringMatching(
        /^claude_plan\/claude-sonnet-4-5: cooling down for \d s after: plan usage limit reached/,
      ),
    ]);
    expect(reqLines[2].switched).toBeUndefined();
  });

  it('the ledger and spend rows count plan requests apart, at no metered cost', async () => {
    const w = await world();
    await ask(w.client);
    w.plan.setBehaviours(usageLimit(3600));
    await ask(w.client);
    await w.gw.stop(100);
    open = open.filter((o) => o !== w.gw);
    const rows = allRows(await readSpend(join(w.stateDir, 'spend'), { since: '2000-01-01' }));
    const byDeployment = Object.fromEntries(rows.map((r) => [r.deployment, r]));
    expect(byDeployment['claude_plan/claude-sonnet-4-5']).toMatchObject({
      requests: 1,
      plan_requests: 1,
      usd: 0,
    });
    expect(byDeployment['anthropic/claude-sonnet-4-5'].plan_requests).toBeUndefined();
    expect(byDeployment['anthropic/claude-sonnet-4-5'].usd).toBeGreaterThan(0);
  });

  it('count_tokens carries the token too, and an upstream echoing it never shows it to anyone', async () => {
    const w = await world();
    const n = await w.client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(n.input_tokens).toBe(42);
    expect(w.plan.requests[0].path).toBe('/v1/messages/count_tokens');
    expect(w.plan.requests[0].headers.authorization).toBe(`Bearer ${OAT}`);

    w.plan.setBehaviours({
      kind: 'status',
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: `bad token ${OAT}` } },
    });
    const err = await ask(w.client).catch((e: unknown) => e as { status: number; message: string });
    expect(err).toMatchObject({ status: 400 });
    expect(JSON.stringify(err)).not.toContain('oat01');
    expect((err as { message: string }).message).toContain('bad token ***');
  });

  it('a request without an Anthropic credential skips the plan, saying why; alone the plan refuses it with 401', async () => {
    const w = await world();
    const keyless = new Anthropic({ baseURL: w.gw.url, apiKey: 'not-an-anthropic-key', maxRetries: 0 });
    const { data } = await ask(keyless);
    expect(data.content).toEqual([{ type: 'text', text: 'on the metered key' }]);
    expect(w.plan.requests).toHaveLength(0);
    expect(w.metered.requests[0].headers['x-api-key']).toBe(METERED_KEY);

    const only = await startFakeUpstream('anthropic');
    const r = loadConfigText(
      `litellm:\n  providers:\n    p: { type: anthropic, auth: client, api_base: "${only.apiBase}" }\n  models:\n    c: [{ provider: p, model: m }]\n`,
      { env: {}, port: 0 },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const gw = await startGateway(r.loaded, { log: pino({ level: 'silent' }), stateDir: null });
    open.push(only, gw);
    const err = await new Anthropic({ baseURL: gw.url, apiKey: 'nope', maxRetries: 0 }).messages
      .create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e as { status: number; message: string });
    expect(err).toMatchObject({ status: 401 });
    expect((err as { message: string }).message).toMatch(/auth: client.*carried none/);
    expect(only.requests).toHaveLength(0);
  });
});
