import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';
import { stateFile } from '../../src/shared/paths.js';
import { writeState } from '../../src/shared/state-file.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

/**
 * A temp HOME with a real config.yml (three fake providers) and, when asked, a gateway started
 * in-process with `startGateway` plus the state file that points the MCP shim at it. The state
 * file's pid is a stub process whose command line names agentbox, as a detached daemon's does (`daemon-main.js`)
 * (the shim trusts a state file only while its pid looks like a gateway).
 *
 * Aliases: `default` → alpha (OpenAI format), `second` → beta (Anthropic format), `broken` → an
 * upstream that always answers 500.
 */
export interface McpWorld {
  dir: string;
  configPath: string;
  /**
   * The environment for a spawned CLI: temp HOME, PATH, and XDG dirs that equal HOME's defaults
   * (so a client that passes only HOME to the server, like the inspector, finds the same files).
   */
  env: Record<string, string>;
  /** The port written in config.yml (free when the world was made; the in-process gateway uses port 0). */
  configPort: number;
  alpha: FakeUpstream;
  beta: FakeUpstream;
  broken: FakeUpstream;
  gw?: Gateway;
  startGateway(): Promise<Gateway>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function makeMcpWorld(opts: { masterKey?: string; extra?: string[] } = {}): Promise<McpWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'agentbox-mcp-'));
  const alpha = await startFakeUpstream('openai', { kind: 'ok', text: 'alpha answer' });
  const beta = await startFakeUpstream('anthropic', { kind: 'ok', text: 'beta answer' });
  const broken = await startFakeUpstream('openai', { kind: 'status', status: 500 });
  const configPort = await freePort();
  const configPath = join(dir, '.config', 'agentbox', 'config.yml');
  mkdirSync(join(dir, '.config', 'agentbox'), { recursive: true });
  writeFileSync(
    configPath,
    [
      'litellm:',
      `  port: ${configPort}`,
      ...(opts.masterKey ? [`  master_key: ${opts.masterKey}`] : []),
      '  providers:',
      `    fa: { type: openai_compatible, api_base: ${alpha.apiBase}, api_key: sk-alpha-secret }`,
      `    fb: { type: anthropic, api_base: ${beta.apiBase}, api_key: sk-beta-secret }`,
      `    fc: { type: openai_compatible, api_base: ${broken.apiBase} }`,
      '  models:',
      '    default: [{ provider: fa, model: alpha-1 }]',
      '    second: [{ provider: fb, model: beta-1 }]',
      '    broken: [{ provider: fc, model: gamma-1 }]',
      '  router: { num_retries: 0, timeout: 10 }',
      ...(opts.extra ?? []).map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  const env: Record<string, string> = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_STATE_HOME: join(dir, '.local', 'state'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LITELLM_LOG_LEVEL: 'warn',
  };
  let stub: ChildProcess | undefined;
  const world: McpWorld = {
    dir,
    configPath,
    env,
    configPort,
    alpha,
    beta,
    broken,
    async startGateway() {
      stub = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)', 'daemon-main.js'], {
        stdio: 'ignore',
      });
      const r = await loadConfig({ env, port: 0 });
      if (!r.ok) throw new Error(`test config invalid: ${JSON.stringify(r.errors)}`);
      const gw = await startGateway(r.loaded, { log: silentLogger(), stateDir: null });
      world.gw = gw;
      await writeState(stateFile(env), {
        pid: stub.pid!,
        port: gw.server.port,
        url: gw.url,
        started_at: new Date().toISOString(),
        config_path: configPath,
        version: '0.0.0-test',
      });
      return gw;
    },
    async close() {
      stub?.kill();
      await world.gw?.stop(100);
      await Promise.all([alpha.close(), beta.close(), broken.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
