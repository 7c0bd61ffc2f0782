import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuiltDaemon, type BuiltDaemon } from '../helpers/built-daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { post } from '../helpers/usage.js';

/**
 * kill -9 of the built daemon under load: every request whose whole answer reached its client
 * has its ledger record (records are written as each request ends, not batched in memory).
 */
let up: FakeUpstream;
let home: string;
let daemon: BuiltDaemon | undefined;

beforeAll(async () => {
  up = await startFakeUpstream('openai', { kind: 'slow', ms: 5 });
  home = mkdtempSync(join(tmpdir(), 'agentbox-kill9-'));
  writeFileSync(
    join(home, 'config.yml'),
    [
      'litellm:',
      '  providers:',
      `    fake: { type: openai, api_base: "${up.apiBase}", api_key: sk-fake }`,
      '  models:',
      '    default: [{ provider: fake, model: m, input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 }]',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null)
    daemon.child.kill('SIGKILL');
  await up?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

function ledgerIds(state: string): Set<string> {
  const ids = new Set<string>();
  const root = join(state, 'spend');
  for (const day of readdirSync(root))
    for (const f of readdirSync(join(root, day)).filter((n) => n.endsWith('.jsonl')))
      for (const line of readFileSync(join(root, day, f), 'utf8').split('\n'))
        if (line) ids.add((JSON.parse(line) as { id: string }).id);
  return ids;
}

describe('kill -9 under load', () => {
  it('kill -9 under load loses no answered ledger record', async () => {
    const state = join(home, 'state');
    daemon = await startBuiltDaemon({
      config: join(home, 'config.yml'),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LITELLM_LOG_LEVEL: 'warn' },
      stateDir: state,
    });
    const url = daemon.url;
    const answered: string[] = [];
    let stop = false;
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop && i < 10_000; i++) {
        try {
          const r = await post(`${url}/v1/chat/completions`, {
            model: 'default',
            max_tokens: 7,
            stream: (i + w) % 2 === 0,
            messages: [{ role: 'user', content: 'x' }],
          });
          const whole = r.json?.object === 'chat.completion' || r.text.includes('[DONE]');
          if (r.status === 200 && whole) answered.push(r.headers['x-request-id']);
        } catch {
          return; // the daemon is gone
        }
      }
    });
    const deadline = Date.now() + 20_000;
    while (answered.length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    process.kill(daemon.child.pid!, 'SIGKILL');
    stop = true;
    expect(await daemon.exited).toBe('SIGKILL');
    await Promise.all(workers);

    expect(answered.length).toBeGreaterThanOrEqual(150);
    const ids = ledgerIds(state);
    const lost = answered.filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
  });
});
