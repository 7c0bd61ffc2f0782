import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { deploymentViews } from '../../src/gateway/deployments.js';
import { serveGateway, type ServingGateway } from '../../src/gateway/lifecycle.js';
import { silentLogger } from '../../src/shared/log.js';
import { freePort } from '../helpers/usage.js';

/** The reachability probe runs at start and again on every reload (a TCP connect, no request). */
describe('reachability across a reload', () => {
  let dir: string;
  let serving: ServingGateway | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await serving?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    serving = undefined;
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a host that did not answer at start and answers after a reload shows ok without waiting for the cache', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-reach-'));
    const port = await freePort();
    const file = join(dir, 'config.yml');
    const config = (alias: string) =>
      `litellm:\n  providers:\n    local: { type: openai_compatible, api_base: http://127.0.0.1:${port}/v1 }\n  models:\n    ${alias}:\n      - { provider: local, model: m }\n`;
    writeFileSync(file, config('default'));
    const loaded = await loadConfig({ path: file, env: {}, port: 0 });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    serving = await serveGateway({
      loaded: loaded.loaded,
      log: silentLogger(),
      env: {},
      portOverride: 0,
      signals: false,
    });
    const state = serving.gateway.state;
    expect(deploymentViews(state).map((d) => d.state)).toEqual(['unreachable']);

    server = createServer((s) => s.end());
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    writeFileSync(file, config('renamed'));
    await serving.reloader.reload('test');
    const deadline = Date.now() + 3000;
    while (deploymentViews(state)[0]?.state !== 'ok' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(deploymentViews(state).map((d) => [d.alias, d.state])).toEqual([['renamed', 'ok']]);
  });
});
