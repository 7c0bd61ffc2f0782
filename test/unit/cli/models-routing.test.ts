import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromModelInfo, models } from '../../../src/cli/commands/models.js';
import { liveFigure, routingCells } from '../../../src/cli/routing-columns.js';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../../helpers/gateway.js';

let home: string;
let stdout: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'agentbox-cli-models-'));
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(home, { recursive: true, force: true });
});

describe('models and status show routing', () => {
  it('`models --json --config` lists each deployment with its group, weight, strategy and share', async () => {
    const file = join(home, 'config.yml');
    writeFileSync(
      file,
      `litellm:
  providers: { p: { type: openai_compatible, api_base: "http://127.0.0.1:9/v1" } }
  models:
    pool:
      - { provider: p, model: a, order: 1, weight: 3 }
      - { provider: p, model: b, order: 1, weight: 1 }
      - { provider: p, model: c, order: 2 }
    busy:
      - { provider: p, model: d }
  router: { aliases: { busy: { strategy: least-busy } } }
`,
    );
    await models({ json: true, config: file });
    const list = JSON.parse(stdout) as Array<{ name: string; deployments: Array<Record<string, unknown>> }>;
    expect(list[0].deployments.map((d) => [d.model, d.group, d.weight, d.strategy, d.share])).toEqual([
      ['a', 1, 3, 'weighted', 0.75],
      ['b', 1, 1, 'weighted', 0.25],
      ['c', 2, null, 'weighted', null],
    ]);
    // An alias without a group is its ordered chain: its rows keep exactly the documented fields.
    expect(Object.keys(list[1].deployments[0]).sort()).toEqual([
      'api_base',
      'key',
      'model',
      'provider',
      'state',
    ]);
    stdout = '';
    await models({ config: file });
    expect(stdout).toMatch(/GROUP\s+WEIGHT\s+STRATEGY\s+LIVE/);
    expect(stdout).toMatch(/\bweighted\s+share 75%/);
  });

  it("the running gateway's /model/info carries the live figures the table shows", async () => {
    const up = await startFakeUpstream('openai', { kind: 'slow', ms: 300 });
    const gw = await startTestGateway(
      makeConfig(
        [{ name: 'p', type: 'openai_compatible', apiBase: up.apiBase }],
        {
          pool: [
            { provider: 'p', model: 'a', order: 0 },
            { provider: 'p', model: 'b', order: 0 },
          ],
        },
        { router: { ...makeConfig([], {}).config.router, strategy: 'least_busy' } },
      ),
    );
    try {
      const pending = request(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await new Promise((r) => setTimeout(r, 100));
      const info = await (await request(`${gw.url}/model/info`)).body.json();
      const rows = fromModelInfo(info as Parameters<typeof fromModelInfo>[0])[0].deployments;
      expect(rows.map((d) => d.in_flight).sort()).toEqual([0, 1]);
      expect(rows.map((d) => liveFigure(d)).sort()).toEqual(['in-flight 0', 'in-flight 1']);
      expect(routingCells(rows[0]).slice(0, 3)).toEqual(['0', '', 'least_busy']);
      await (await pending).body.text();
    } finally {
      await gw.stop(100);
      await up.close();
    }
  });
});
