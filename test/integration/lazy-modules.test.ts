import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

const REPO = new URL('../..', import.meta.url).pathname;

/**
 * A gateway process (the built `dist/`) that says, on request, which of the packages only some
 * requests need it holds: the price catalogue is not loaded at start, only by the first request
 * that is priced, and that request is priced from it; prom-client at the first scrape of /metrics;
 * of undici only the Pool is ever loaded.
 */
const PROBE = `
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { loadConfig } from '${REPO}dist/config/load.js';
import { startGateway } from '${REPO}dist/gateway/daemon.js';
import { silentLogger } from '${REPO}dist/shared/log.js';
const require = createRequire(import.meta.url);
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name));
const r = await loadConfig({ path: process.argv[1], env: {} });
if (!r.ok) throw new Error(JSON.stringify(r.errors));
const gw = await startGateway(r.loaded, { log: silentLogger(), stateDir: null });
const report = () => console.log(JSON.stringify({
    url: gw.url,
    prices: Object.keys(require.cache).some((k) => k.endsWith('/dist/daemon/price-catalog.cjs')),
    pricesPackage: loaded('@pydantic/genai-prices/'),
    undiciIndex: loaded('undici/index.js'),
    undiciPool: loaded('undici/lib/dispatcher/pool.js'),
    prom: loaded('prom-client/'),
  }));
report();
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stop') break;
  report();
}
await gw.stop(100);
`;

describe('modules loaded when first needed', () => {
  let dir: string;
  let upstream: FakeUpstream;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-lazy-'));
    upstream = await startFakeUpstream('openai', { kind: 'ok', usage: { input: 1000, output: 100 } });
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the price catalogue and undici’s Pool: not at start, then loaded by the first request; prom-client at the first scrape; never undici’s index', async () => {
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'litellm:',
        '  providers:',
        `    openai: { api_base: ${upstream.apiBase}, api_key: sk-test }`,
        '  models:',
        '    gpt: [{ provider: openai, model: gpt-4o }]',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, config], {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    type Report = {
      url: string;
      prices: boolean;
      pricesPackage: boolean;
      undiciIndex: boolean;
      undiciPool: boolean;
      prom: boolean;
    };
    const next = async (): Promise<Report> => JSON.parse(String((await lines.next()).value));
    try {
      const atStart = await next();
      // undici's Pool too loads with the first upstream call, not at start.
      expect(atStart).toMatchObject({
        prices: false,
        pricesPackage: false,
        undiciIndex: false,
        undiciPool: false,
        prom: false,
      });
      const res = await fetch(`${atStart.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      // gpt-4o from the catalogue: $2.50 per million input tokens, $10 per million output tokens.
      expect(Number(res.headers.get('x-agentbox-cost'))).toBeCloseTo(1000 * 2.5e-6 + 100 * 10e-6, 9);
      child.stdin!.write('report\n');
      // The build's copy of the catalogue (scripts/bundle-daemon.mjs), not the package.
      expect(await next()).toMatchObject({
        prices: true,
        pricesPackage: false,
        undiciIndex: false,
        undiciPool: true,
        prom: false,
      });
      // prom-client at the first scrape, which counts the request served before it.
      const scrape = await fetch(`${atStart.url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toMatch(
        /^agentbox_requests_total\{alias="gpt",deployment="openai\/gpt-4o",status="200"\} 1$/m,
      );
      child.stdin!.write('report\n');
      expect(await next()).toMatchObject({ prom: true });
    } finally {
      child.stdin!.end('stop\n');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
