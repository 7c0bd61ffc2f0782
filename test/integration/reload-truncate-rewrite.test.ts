import { mkdtempSync, rmSync, truncateSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { serveGateway, type ServingGateway } from '../../src/gateway/lifecycle.js';
import { silentLogger } from '../../src/shared/log.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { post } from '../helpers/usage.js';

/**
 * Editors that save by truncating and rewriting: the watcher sees an empty file, a comment-only
 * file or one without `litellm:` for a moment. A running daemon keeps serving its config and
 * reports the file; a file still being written is read only once it holds still.
 */
let up: FakeUpstream;
let dir: string;
let file: string;
let serving: ServingGateway | undefined;

const CONFIG = (alias: string) => `# my gateway
litellm:
  providers:
    fake: { type: openai_compatible, api_base: "${up.apiBase}" }
  models:
    ${alias}:
      - { provider: fake, model: m }
`;

beforeAll(async () => {
  up = await startFakeUpstream('openai');
});
afterAll(async () => {
  await up?.close();
});
afterEach(async () => {
  await serving?.stop();
  serving = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<ServingGateway> {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-trunc-'));
  file = join(dir, 'config.yml');
  writeFileSync(file, CONFIG('mine'));
  const loaded = await loadConfig({ path: file, env: {}, port: 0 });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  serving = await serveGateway({
    loaded: loaded.loaded,
    log: silentLogger(),
    env: {},
    portOverride: 0,
    stateFile: join(dir, 'state', 'litellm.json'),
    signals: false,
  });
  return serving;
}

const until = async (check: () => boolean, ms = 3_000): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
};
const ask = (url: string, model = 'mine') =>
  post(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }] });

describe('editor truncate-and-rewrite', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an empty file', '', /empty/],
    ['a comment-only file', '# nothing here yet\n# still typing\n', /only comments/],
    ['a file without a litellm: section', 'other_feature:\n  enabled: true\n', /no litellm: section/],
  ];
  for (const [what, text, message] of cases) {
    it(`editor truncate-and-rewrite: ${what} keeps the old config serving and is reported`, async () => {
      const { gateway } = await serve();
      const gen = gateway.state.generation;
      if (text === '') truncateSync(file, 0);
      else writeFileSync(file, text);
      expect(await until(() => gateway.state.lastReload.ok === false)).toBe(true);
      expect(gateway.state.lastReload.errors.map((e) => e.message).join('; ')).toMatch(message);
      expect(gateway.state.generation).toBe(gen);
      const r = await ask(gateway.url);
      expect(r.status).toBe(200);
      // The editor finishes its save: the new file is taken.
      writeFileSync(file, CONFIG('renamed'));
      expect(await until(() => gateway.state.generation > gen)).toBe(true);
      expect((await ask(gateway.url, 'renamed')).status).toBe(200);
      expect(gateway.state.lastReload.ok).toBe(true);
    });
  }

  it('editor truncate-and-rewrite: a file written in two parts is never loaded half-written', async () => {
    const { gateway } = await serve();
    const text = CONFIG('mine').replace('  models:', '  models:\n    extra: [{ provider: fake, model: x }]');
    const cut = text.indexOf('  models:');
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      for (let i = 0; !stop && i < 2000; i++) statuses.push((await ask(gateway.url)).status);
    })();
    for (let round = 0; round < 3; round++) {
      // Truncate, write the providers, pause like a slow writer, then write the models.
      const fd = openSync(file, 'w');
      writeSync(fd, text.slice(0, cut));
      await new Promise((r) => setTimeout(r, 200)); // longer than the watcher's debounce
      writeSync(fd, text.slice(cut));
      closeSync(fd);
      await new Promise((r) => setTimeout(r, 500));
    }
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await until(() => gateway.state.loaded.config.models.some((m) => m.name === 'extra'))).toBe(true);
  });
});
