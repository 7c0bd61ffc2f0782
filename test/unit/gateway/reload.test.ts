import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../../src/config/load.js';
import type { LoadedConfig } from '../../../src/config/types.js';
import { createReloader } from '../../../src/gateway/reload.js';
import { GatewayState } from '../../../src/gateway/state.js';
import { silentLogger } from '../../../src/shared/log.js';

const loadedWith = (port: number, host = '127.0.0.1'): LoadedConfig =>
  ({ config: { port, host, models: [] }, warnings: [] }) as unknown as LoadedConfig;

describe('createReloader', () => {
  it('coalesces reloads asked for while one runs into one more load', async () => {
    const state = new GatewayState(loadedWith(4000));
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const reloader = createReloader({
      state,
      log: silentLogger(),
      listen: { host: '127.0.0.1', port: 4000 },
      files: () => [],
      load: async (): Promise<LoadResult> => {
        loads++;
        if (loads === 1) await gate;
        return { ok: true, loaded: loadedWith(4000) };
      },
    });
    const first = reloader.reload('a');
    const queued = [reloader.reload('b'), reloader.reload('c'), reloader.reload('d')];
    release();
    await Promise.all([first, ...queued]);
    expect(loads).toBe(2);
    expect(state.generation).toBe(3);
  });

  it('keeps the config when the load fails or throws, and reports why', async () => {
    const initial = loadedWith(4000);
    const state = new GatewayState(initial);
    const results: Array<LoadResult | Error> = [
      { ok: false, errors: [{ path: 'litellm.port', message: 'bad' }] },
      new Error('EACCES'),
    ];
    const reloader = createReloader({
      state,
      log: silentLogger(),
      listen: { host: '127.0.0.1', port: 4000 },
      files: () => [],
      load: async () => {
        const r = results.shift()!;
        if (r instanceof Error) throw r;
        return r;
      },
    });
    expect(await reloader.reload('x')).toMatchObject({
      ok: false,
      errors: [{ path: 'litellm.port', message: 'bad' }],
    });
    expect(await reloader.reload('y')).toMatchObject({ ok: false, errors: [{ message: 'EACCES' }] });
    expect(state.loaded).toBe(initial);
    expect(state.generation).toBe(1);
  });

  it('swaps a valid config and names listen-address changes that need a restart', async () => {
    const state = new GatewayState(loadedWith(4000));
    const swapped: LoadedConfig[] = [];
    const next = loadedWith(4100, 'localhost');
    const reloader = createReloader({
      state,
      log: silentLogger(),
      listen: { host: '127.0.0.1', port: 4000 },
      files: () => [],
      load: async () => ({ ok: true, loaded: next }),
      onSwap: (l) => swapped.push(l),
    });
    const status = await reloader.reload('x');
    expect(status).toMatchObject({
      ok: true,
      needsRestart: ['port 4000 -> 4100', 'host 127.0.0.1 -> localhost'],
    });
    expect(state.loaded).toBe(next);
    expect(swapped).toEqual([next]);
  });
});
