import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createReloader } from '../../../src/gateway/reload.js';
import { GatewayState } from '../../../src/gateway/state.js';
import { silentLogger } from '../../../src/shared/log.js';

/** A LiteLLM proxy file reloads like an agentbox one: new chains and a new ignored list, or the old config on error. */

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FILE_A = 'model_list:\n  - model_name: a\n    litellm_params: { model: ollama/llama3 }\n';

describe('reload of a LiteLLM proxy file', () => {
  it('swaps in the new chains and ignored keys; an invalid edit keeps the old config serving', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-reload-litellm-'));
    const file = join(dir, 'litellm.yaml');
    writeFileSync(file, FILE_A);
    const first = await loadConfig({ path: file, env: {} });
    if (!first.ok) throw new Error('load failed');
    const state = new GatewayState(first.loaded);
    const reloader = createReloader({
      state,
      log: silentLogger(),
      load: () => loadConfig({ path: file, env: {} }),
      listen: { host: '127.0.0.1', port: 4000 },
      files: () => [file],
    });

    writeFileSync(
      file,
      `${FILE_A}  - model_name: b\n    litellm_params: { model: ollama/qwen }\nrouter_settings:\n  fallbacks: [{a: [b]}]\nlitellm_settings:\n  callbacks: [otel]\n`,
    );
    expect((await reloader.reload('test')).ok).toBe(true);
    expect(state.loaded.config.models.map((m) => [m.name, m.deployments.map((d) => d.id)])).toEqual([
      ['a', ['ollama/llama3', 'ollama/qwen']],
      ['b', ['ollama/qwen']],
    ]);
    expect(state.loaded.ignored?.map((i) => i.path)).toEqual(['litellm_settings.callbacks']);

    writeFileSync(file, `${FILE_A}general_settings:\n  custom_auth: my_module.auth\n`);
    const failed = await reloader.reload('test');
    expect(failed.ok).toBe(false);
    expect(failed.errors.map((e) => e.path)).toEqual(['general_settings.custom_auth']);
    expect(state.loaded.config.models.map((m) => m.name)).toEqual(['a', 'b']);
  });
});
