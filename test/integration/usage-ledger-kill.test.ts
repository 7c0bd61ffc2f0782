import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { post } from '../helpers/usage.js';

const REPO = new URL('../..', import.meta.url).pathname;
const DAEMON = join(REPO, 'dist/gateway/daemon-main.js');
const BIN = join(REPO, 'bin/agentbox.js');

let up: FakeUpstream;
let home: string;
let env: Record<string, string>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist/gateway/usage/ledger.js'))) {
    throw new Error('dist/ is missing or stale: run `npm run build` first (npm test does)');
  }
  up = await startFakeUpstream('openai', { kind: 'slow', ms: 15 });
  home = mkdtempSync(join(tmpdir(), 'agentbox-kill-'));
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AGENTBOX_STATE_DIR: join(home, 'state'),
    LITELLM_LOG_LEVEL: 'warn',
  };
  writeFileSync(
    join(home, 'config.yml'),
    [
      'litellm:',
      '  providers:',
      `    fake: { type: openai, api_base: "${up.apiBase}", api_key: sk-fake }`,
      '  models:',
      '    default: [{ provider: fake, model: m, input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 }]',
      '  budgets: { usd_per_day: 1000 }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGKILL');
  await up?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Start the built daemon and wait for its state file; returns its URL. */
async function startDaemon(): Promise<{ child: ChildProcess; url: string }> {
  const stateFile = join(home, 'state', 'litellm.json');
  rmSync(stateFile, { force: true });
  const child = spawn(process.execPath, [DAEMON, '--config', join(home, 'config.yml'), '--port', '0'], {
    env,
    stdio: 'ignore',
  });
  children.add(child);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}`);
    try {
      const s = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
      if (s.pid === child.pid) return { child, url: s.url };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the daemon did not start');
}

function ledgerLines(): { complete: any[]; torn: number } {
  const root = join(home, 'state', 'spend');
  const complete: any[] = [];
  let torn = 0;
  for (const day of readdirSync(root)) {
    for (const f of readdirSync(join(root, day)).filter((n) => n.endsWith('.jsonl'))) {
      const lines = readFileSync(join(root, day, f), 'utf8').split('\n');
      const last = lines.pop()!; // after the final newline: '' unless the last line is torn
      if (last !== '') torn++;
      for (const l of lines) complete.push(JSON.parse(l)); // every complete line parses
    }
  }
  return { complete, torn };
}

describe('the spend ledger of the built daemon', () => {
  it('survives kill -9 mid-load: no torn record counts, totals load at the next start', async () => {
    const { child, url } = await startDaemon();
    let completed = 0;
    let stop = false;
    const body = (i: number) => ({
      model: 'default',
      max_tokens: 7,
      stream: i % 2 === 0,
      messages: [{ role: 'user', content: 'x' }],
    });
    const CONCURRENCY = 8;
    const workers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = 0; !stop && i < 10_000; i++) {
        try {
          const r = await post(`${url}/v1/chat/completions`, body(i + w));
          if (r.status === 200 && !stop) completed++;
        } catch {
          return; // the daemon is gone
        }
      }
    });
    const deadline = Date.now() + 20_000;
    while (completed < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid!, 'SIGKILL');
    const before = completed;
    stop = true;
    await exited;
    await Promise.all(workers);

    const { complete, torn } = ledgerLines();
    expect(torn).toBeLessThanOrEqual(1);
    expect(complete.length).toBeLessThanOrEqual(up.requests.length);
    expect(complete.length).toBeGreaterThanOrEqual(before - CONCURRENCY);
    for (const r of complete) expect(r.usd).toBeCloseTo(0.0018, 12);
    const total = complete.reduce((s, r) => s + r.usd, 0);

    // `agentbox litellm spend --json` agrees with the records, whatever state the summaries were left in.
    const cli = spawnSync(process.execPath, [BIN, 'litellm', 'spend', '--json'], { env, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const spend = JSON.parse(cli.stdout);
    expect(spend.total_usd).toBeCloseTo(total, 9);
    expect(spend.rows.reduce((s: number, r: any) => s + r.requests, 0)).toBe(complete.length);
    expect(spend.rows[0]).toMatchObject({ key: null, alias: 'default', deployment: 'fake/m' });
    const byAlias = JSON.parse(
      spawnSync(process.execPath, [BIN, 'litellm', 'spend', '--by', 'alias', '--json'], {
        env,
        encoding: 'utf8',
      }).stdout,
    );
    expect(byAlias.rows).toHaveLength(1);
    expect(byAlias.rows[0]).toMatchObject({ alias: 'default', day: null, requests: complete.length });

    // The next start reads the totals back: today's spend and what is left of the budget.
    const again = await startDaemon();
    const h = (await (await fetch(`${again.url}/health`)).json()) as any;
    expect(h.usage.spend.today_usd).toBeCloseTo(total, 9);
    expect(h.usage.budgets[0].left_usd).toBeCloseTo(1000 - total, 9);
    const gone = new Promise((r) => again.child.once('exit', r));
    process.kill(again.child.pid!, 'SIGTERM');
    await gone;
  });
});
