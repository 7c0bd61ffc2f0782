import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeSandbox, type Sandbox } from './lifecycle-helpers.js';

/** The built CLI on LiteLLM proxy files: validate says how it read them, start/status name what is ignored, import converts. */

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/litellm/${name}`, import.meta.url), 'utf8');

const QUICK_START_IGNORED = [
  'ignored: model_list[4].model_info.version 2: agentbox does not read this model_info field',
  'ignored: litellm_settings.success_callback [langfuse]: agentbox has no callback integrations; use /metrics',
  'ignored: general_settings.alerting [slack]: agentbox has no alerting integrations; use /metrics',
];

let sb: Sandbox;
let up: FakeUpstream;
let file: string;

beforeAll(async () => {
  sb = makeSandbox();
  up = await startFakeUpstream('openai', { kind: 'ok', text: 'vllm says hi' });
  file = join(sb.home, 'litellm.yaml');
  writeFileSync(file, fixture('docs-quick-start.yaml').replace('http://0.0.0.0:4000/v1', up.apiBase));
});
afterAll(async () => {
  await sb.cleanup();
  await up.close();
});

describe('agentbox config validate on a LiteLLM proxy file', () => {
  it('prints the aliases and chains in the order tried, and the ignored keys one per line', async () => {
    const r = await sb.cli(['config', 'validate', file]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'read as a LiteLLM proxy config; aliases and their chains, in the order tried:',
    );
    expect(r.stdout).toContain('  gpt-4o: azure/gpt-4o-eu (key missing) → azure_2/gpt-4o-ca (key missing)');
    // A deployment agentbox has no equivalent for is named with why.
    expect(r.stdout).toContain(
      '  *: unresolved/* (unsupported: model_list[5]: LiteLLM infers the provider of "*" from its model map; write it as <provider>/*)',
    );
    expect(r.stdout).toContain('  vllm-models: openai/facebook/opt-125m\n');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ignored: '))).toEqual(QUICK_START_IGNORED);
  });

  it('a file without litellm: that is not a LiteLLM file is invalid (exit 2), saying what it looks like', async () => {
    const other = join(sb.home, 'other.yml');
    writeFileSync(other, 'mcp:\n  servers: {}\n');
    const r = await sb.cli(['config', 'validate', other]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'it has the top-level key mcp but no litellm: section, so it configures no gateway',
    );
  });
});

describe('agentbox litellm start / status on a LiteLLM proxy file', () => {
  it('names the ignored keys at start and in status, and enforces the file’s master key', async () => {
    const start = await sb.cli(['litellm', 'start', '--config', file, '--port', '0']);
    expect(start.exitCode, start.stderr).toBe(0);
    for (const line of QUICK_START_IGNORED) expect(start.stderr).toContain(`${line}\n`);
    const url = sb.state()!.url;

    const status = await sb.cli(['litellm', 'status']);
    expect(status.exitCode, status.stderr).toBe(0);
    for (const line of QUICK_START_IGNORED) expect(status.stdout).toContain(`  ${line}\n`);
    // Bedrock is served by its own provider type; without AWS credentials its key is missing.
    expect(status.stdout).toMatch(
      /bedrock-claude-v1\s+bedrock\s+anthropic\.claude-instant-v1\s+missing\s+no_key/,
    );
    expect(status.stdout).toMatch(/\*\s+unresolved\s+\*\s+\S+\s+unsupported/);
    const json = JSON.parse((await sb.cli(['litellm', 'status', '--json'])).stdout);
    expect(json.ignored.map((i: { path: string }) => i.path)).toEqual([
      'model_list[4].model_info.version',
      'litellm_settings.success_callback',
      'general_settings.alerting',
    ]);

    const body = JSON.stringify({ model: 'vllm-models', messages: [{ role: 'user', content: 'hi' }] });
    const post = (auth?: string) =>
      request(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body,
      });
    const denied = await post();
    expect(denied.statusCode).toBe(401);
    await denied.body.text();
    const ok = await post('Bearer sk-1234');
    expect(ok.statusCode).toBe(200);
    expect(((await ok.body.json()) as any).choices[0].message.content).toBe('vllm says hi');
    expect((await sb.cli(['litellm', 'stop'])).exitCode).toBe(0);
  });
});

describe('agentbox config import', () => {
  it('writes a config that validates, refuses to overwrite it, and prints a summary', async () => {
    const out = join(sb.home, 'imported.yml');
    const r = await sb.cli(['config', 'import', file, '-o', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '4 aliases, 5 deployments carried over; 1 deployment(s) not supported and 3 key(s) ignored (each marked with a comment)',
    );
    const v = await sb.cli(['config', 'validate', out]);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK: .*imported\.yml {2}4 aliases, 5 deployments$/m);
    expect((await sb.cli(['config', 'import', file, '-o', out])).exitCode).toBe(2);
  });
});
