import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { serveGateway, type ServingGateway } from '../../src/gateway/lifecycle.js';
import { silentLogger } from '../../src/shared/log.js';
import { readState } from '../../src/shared/state-file.js';

/** What the daemon does when its files change: `.env`, listen address, a config appearing, symlinks. */
describe('config watching and reload', () => {
  let dir: string;
  let serving: ServingGateway | undefined;
  afterEach(async () => {
    await serving?.stop();
    serving = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const until = async (check: () => boolean, ms = 2_000): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return check();
  };

  const serve = async (file: string | undefined, env: NodeJS.ProcessEnv = {}): Promise<ServingGateway> => {
    const loaded = await loadConfig({ path: file, env, port: 0 });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    serving = await serveGateway({
      loaded: loaded.loaded,
      log: silentLogger(),
      env,
      portOverride: 0,
      stateFile: join(dir, 'state', 'litellm.json'),
      signals: false,
    });
    return serving;
  };

  const config = (extra = '') => `litellm:
  providers:
    fake: { type: openai_compatible, api_base: http://127.0.0.1:9/v1, api_key: \${FAKE_KEY} }
  models:
    default:
      - { provider: fake, model: m }
${extra}`;

  it('a change to the .env beside the config is picked up (key missing → set)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-watch-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, config());
    const { gateway } = await serve(file);
    const keyState = () => gateway.state.loaded.config.providers.fake.keyState;
    expect(keyState()).toBe('missing');
    writeFileSync(join(dir, '.env'), 'FAKE_KEY=from-dotenv\n');
    expect(await until(() => keyState() === 'set')).toBe(true);
    expect(gateway.state.loaded.config.providers.fake.apiKey).toBe('from-dotenv');
  });

  it('a port or host change is reported as needing a restart, the rest applies', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-watch-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, config());
    const loaded = await loadConfig({ path: file, env: {} });
    if (!loaded.ok) throw new Error('invalid');
    // Serve without a --port override, on whatever port the test gets: the file says 4000.
    loaded.loaded.config.port = 0;
    serving = await serveGateway({ loaded: loaded.loaded, log: silentLogger(), env: {}, signals: false });
    const { state } = serving.gateway;
    const status = await serving.reloader.reload('test');
    expect(status.ok).toBe(true);
    expect(status.needsRestart).toEqual(['port 0 -> 4000']);
    writeFileSync(file, config('  host: localhost\n  port: 4000\n'));
    const second = await serving.reloader.reload('test');
    expect(second.needsRestart).toEqual(['port 0 -> 4000', 'host 127.0.0.1 -> localhost']);
    expect(state.loaded.config.host).toBe('localhost');
  });

  it('invalid, then valid: the old config serves in between and the errors are reported', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-watch-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, config());
    const { gateway } = await serve(file);
    const s = gateway.state;
    writeFileSync(file, 'litellm:\n  models:\n    default: [{ provider: nope, model: x }]\n');
    expect(await until(() => !s.lastReload.ok)).toBe(true);
    expect(s.generation).toBe(1);
    expect(s.lastReload.errors.map((e) => e.path)).toContain('litellm.models.default[0].provider');
    expect(s.loaded.config.models[0].deployments[0].provider.name).toBe('fake');
    writeFileSync(file, config().replace('model: m', 'model: m2'));
    expect(await until(() => s.lastReload.ok)).toBe(true);
    expect(s.generation).toBe(2);
    expect(s.loaded.config.models[0].deployments[0].model).toBe('m2');
  });

  it('serving the embedded defaults, a config file that appears is followed (state file updated)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-watch-'));
    const cfgDir = join(dir, 'xdg', 'agentbox');
    mkdirSync(cfgDir, { recursive: true });
    const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') };
    const { gateway } = await serve(undefined, env);
    expect(gateway.state.loaded.path).toBeUndefined();
    expect((await readState(join(dir, 'state', 'litellm.json')))?.config_path).toBeNull();
    const file = join(cfgDir, 'config.yml');
    writeFileSync(file, config());
    expect(await until(() => gateway.state.loaded.path === file)).toBe(true);
    expect(gateway.state.loaded.config.models.map((m) => m.name)).toEqual(['default']);
    expect(await until(() => false, 200)).toBe(false);
    expect((await readState(join(dir, 'state', 'litellm.json')))?.config_path).toBe(file);
    // And it is watched from now on.
    writeFileSync(file, config().replace('default:', 'renamed:'));
    expect(await until(() => gateway.state.loaded.config.models[0]?.name === 'renamed')).toBe(true);
  });

  it('a symlinked config is watched at its target', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-watch-'));
    mkdirSync(join(dir, 'dotfiles'));
    mkdirSync(join(dir, 'cfg'));
    const target = join(dir, 'dotfiles', 'agentbox.yml');
    writeFileSync(target, config());
    const link = join(dir, 'cfg', 'config.yml');
    symlinkSync(target, link);
    const { gateway } = await serve(link);
    writeFileSync(target, config().replace('model: m', 'model: via-target'));
    expect(
      await until(() => gateway.state.loaded.config.models[0].deployments[0].model === 'via-target'),
    ).toBe(true);
  });

  it('stop removes the state file only while it names this process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-watch-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, config());
    const s = await serve(file);
    const stateFile = join(dir, 'state', 'litellm.json');
    expect((await readState(stateFile))?.pid).toBe(process.pid);
    expect((await readState(stateFile))?.url).toBe(s.gateway.url);
    await s.stop();
    serving = undefined;
    expect(await readState(stateFile)).toBeUndefined();
  });
});
