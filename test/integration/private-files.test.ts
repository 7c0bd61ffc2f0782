import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startBuiltDaemon } from '../helpers/built-daemon.js';
import { post } from '../helpers/usage.js';

/** The built daemon creates its state dir, `spend/`, ledger, sums, log and state file owner-only. */
let up: FakeUpstream;
let home: string;

beforeAll(async () => {
  up = await startFakeUpstream('openai');
  home = mkdtempSync(join(tmpdir(), 'agentbox-perm-'));
  writeFileSync(
    join(home, 'config.yml'),
    [
      'litellm:',
      '  providers:',
      `    fake: { type: openai, api_base: "${up.apiBase}", api_key: sk-fake-perm }`,
      '  models:',
      '    default: [{ provider: fake, model: m, input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 }]',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await up?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

describe('files the daemon creates', () => {
  it('directories the daemon creates are 0700 and files 0600', async () => {
    const state = join(home, 'state', 'nested');
    const d = await startBuiltDaemon({
      config: join(home, 'config.yml'),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LITELLM_LOG_LEVEL: 'info' },
      stateDir: state,
    });
    const r = await post(`${d.url}/v1/chat/completions`, {
      model: 'default',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.status).toBe(200);
    d.child.kill('SIGTERM');
    await d.exited; // a clean stop writes the ledger's sums too

    expect(mode(join(home, 'state'))).toBe('700');
    expect(mode(state)).toBe('700');
    expect(mode(join(state, 'litellm.log'))).toBe('600');
    const spend = join(state, 'spend');
    expect(mode(spend)).toBe('700');
    const days = readdirSync(spend);
    expect(days).toHaveLength(1);
    expect(mode(join(spend, days[0]))).toBe('700');
    const files = readdirSync(join(spend, days[0]));
    expect(files.some((f) => f.endsWith('.jsonl'))).toBe(true);
    expect(files.some((f) => f.endsWith('.sum.json'))).toBe(true);
    for (const f of files) expect([f, mode(join(spend, days[0], f))]).toEqual([f, '600']);
  });

  it('an existing world-readable log file is made 0600 when the daemon opens it', async () => {
    const state = join(home, 'state2');
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, 'litellm.log'), '');
    chmodSync(join(state, 'litellm.log'), 0o644);
    const d = await startBuiltDaemon({
      config: join(home, 'config.yml'),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      stateDir: state,
    });
    expect(mode(join(state, 'litellm.log'))).toBe('600');
    expect(mode(join(state, 'litellm.json'))).toBe('600');
    d.child.kill('SIGTERM');
    await d.exited;
  });
});
