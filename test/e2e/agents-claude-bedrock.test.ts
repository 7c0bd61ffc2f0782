import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeBedrock, type FakeBedrock } from '../helpers/fake-bedrock.js';
import { startYamlGateway } from '../helpers/yaml-gateway.js';
import { describeRun, requireCli } from './agents-harness.js';
import { runClaudeDirect } from './claude-direct.js';

/**
 * The real Claude Code CLI through the gateway to a fake Bedrock: its streamed Messages requests
 * reach InvokeModelWithResponseStream signed with SigV4 (checked independently by the fake), with
 * its betas moved into `anthropic_beta` and the rest of its body as it sent it.
 */

const CLAUDE = requireCli('claude');
vi.setConfig({ testTimeout: 90_000 });
const AK = 'AKIDE2EBEDROCK0001';
const SECRET = 'e2e/bedrock+secret/key';
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

describe('claude -p through agentbox to Bedrock', () => {
  let dir: string;
  let bedrock: FakeBedrock;
  let gateway: Gateway;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-bedrock-e2e-'));
    bedrock = await startFakeBedrock({ secrets: { [AK]: SECRET } });
    bedrock.setBehaviours({ kind: 'text', text: 'Hello from Claude on Bedrock.' });
    gateway = await startYamlGateway(
      `litellm:\n  providers:\n    bedrock: { region: eu-central-1, api_base: "${bedrock.url}" }\n  models:\n    "claude-*": [{ provider: bedrock, model: "${MODEL}" }]\n  router: { num_retries: 0, timeout: 30 }\n`,
      {
        AWS_ACCESS_KEY_ID: AK,
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: 'e2e-session',
        HOME: '/nonexistent',
      },
    );
  });
  afterAll(async () => {
    await gateway?.stop(100);
    await bedrock?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the answer; the requests are signed InvokeModel streams with Claude Code betas in the body', async () => {
    const run = await runClaudeDirect(CLAUDE, dir, gateway.url, {
      ANTHROPIC_API_KEY: 'sk-ant-api03-client-side-dummy',
    });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain('Hello from Claude on Bedrock.');
    const main = bedrock.requests.filter((r) => r.op === 'invoke-with-response-stream');
    expect(main.length, describeRun(run)).toBeGreaterThan(0);
    for (const r of bedrock.requests) {
      expect(r.sig).toMatchObject({ ok: true, accessKeyId: AK, region: 'eu-central-1', service: 'bedrock' });
      expect(r.headers['x-amz-security-token']).toBe('e2e-session');
      expect(r.body.anthropic_version).toBe('bedrock-2023-05-31');
      expect(r.body).not.toHaveProperty('model');
      expect(JSON.stringify(r.headers)).not.toContain('client-side-dummy');
    }
    const r = main[main.length - 1];
    expect(r.model).toBe(MODEL);
    // Claude Code's betas (sent as a header) arrive as the body field Bedrock reads.
    expect(Array.isArray(r.body.anthropic_beta)).toBe(true);
    expect(r.body.anthropic_beta.length).toBeGreaterThan(0);
    expect(Array.isArray(r.body.system)).toBe(true);
    expect(Array.isArray(r.body.tools)).toBe(true);
  });
});
