import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { serveGateway, type ServingGateway } from '../../src/gateway/lifecycle.js';
import { silentLogger } from '../../src/shared/log.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

/**
 * Hot reload while serving: 50 clients stream chat completions in a loop while the config file is
 * rewritten 20 times, by rename (atomic) and in place (truncate, write, pause, write). Not one request may fail,
 * and the last version must end up live.
 */
describe('reload under load', () => {
  let up: FakeUpstream;
  let dir: string;
  let serving: ServingGateway | undefined;
  const agent = new Agent({ connections: 64 });

  beforeAll(async () => {
    up = await startFakeUpstream('openai', { kind: 'slow', ms: 5 });
  });
  afterEach(async () => {
    await serving?.stop();
    serving = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await agent.close();
    await up.close();
  });

  const version = (i: number): string => `litellm:
  providers:
    fake: { type: openai_compatible, api_base: ${up.apiBase}, api_key: k-${i} }
  router: { num_retries: 0 }
  models:
    v${i}:
      - { provider: fake, model: only-in-${i} }
    default:
      - { provider: fake, model: model-${i % 2 ? 'odd' : 'even'} }
`;

  async function streamOnce(url: string, model: string): Promise<string | undefined> {
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
    if (!text.includes('data: [DONE]') || text.includes('"error"')) return `bad stream: ${text.slice(-200)}`;
    return undefined;
  }

  for (const how of ['atomic', 'in-place'] as const) {
    it(`zero failed requests while the config is rewritten 20 times (${how})`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'agentbox-reload-'));
      const file = join(dir, 'config.yml');
      // In place, the way a slow writer does it: truncate, write up to the `default` alias (a valid
      // file without it), pause, write the rest. Swapping in the half file would fail requests.
      const write = async (text: string): Promise<void> => {
        if (how === 'atomic') {
          writeFileSync(`${file}.tmp`, text);
          renameSync(`${file}.tmp`, file);
          return;
        }
        const cut = text.indexOf('    default:');
        const fd = openSync(file, 'w');
        try {
          writeSync(fd, text.slice(0, cut));
          await new Promise((r) => setTimeout(r, 20));
          writeSync(fd, text.slice(cut));
        } finally {
          closeSync(fd);
        }
      };
      await write(version(0));
      const loaded = await loadConfig({ path: file, env: {}, port: 0 });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      serving = await serveGateway({
        loaded: loaded.loaded,
        log: silentLogger(),
        env: {},
        portOverride: 0,
        stateFile: join(dir, 'state.json'),
        signals: false,
      });
      const { url, state } = serving.gateway;

      let writing = true;
      const failures: string[] = [];
      let total = 0;
      const client = async (): Promise<void> => {
        do {
          total++;
          const problem = await streamOnce(url, 'default').catch((e: Error) => `error: ${e.message}`);
          if (problem) failures.push(problem);
        } while (writing);
      };
      const clients = Array.from({ length: 50 }, client);
      for (let i = 1; i <= 20; i++) {
        await new Promise((r) => setTimeout(r, 60));
        await write(version(i));
      }
      // The last version goes live (alias v20 resolves), then the clients stop.
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline && !state.loaded.config.models.some((m) => m.name === 'v20')) {
        await new Promise((r) => setTimeout(r, 20));
      }
      writing = false;
      await Promise.all(clients);

      expect(failures).toEqual([]);
      expect(total).toBeGreaterThanOrEqual(100);
      expect(state.loaded.config.models.map((m) => m.name)).toEqual(['v20', 'default']);
      expect(state.generation).toBeGreaterThan(1);
      expect(state.lastReload.ok).toBe(true);
      expect(await streamOnce(url, 'v20')).toBeUndefined();
    }, 60_000);
  }
});
