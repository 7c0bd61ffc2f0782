import type {
  Deployment,
  LitellmConfig,
  LoadedConfig,
  ProviderConfig,
  ProviderType,
} from '../../src/config/types.js';
import { startGateway, type Gateway } from '../../src/gateway/daemon.js';
import { silentLogger } from '../../src/shared/log.js';

export interface ProviderSpec {
  name: string;
  type: ProviderType;
  apiBase: string;
  apiKey?: string;
}

/** A normalized config built directly (no YAML): for tests of the gateway that do not test the loader. */
export function makeConfig(
  providers: ProviderSpec[],
  models: Record<
    string,
    Array<{ provider: string; model: string } & Omit<Partial<Deployment>, 'provider' | 'model'>>
  >,
  over: Partial<LitellmConfig> = {},
): LoadedConfig {
  const ps: Record<string, ProviderConfig> = {};
  for (const p of providers) {
    ps[p.name] = {
      name: p.name,
      type: p.type,
      apiBase: p.apiBase,
      apiKey: p.apiKey,
      keyState: p.apiKey
        ? 'set'
        : p.type === 'openai_compatible' || p.type === 'ollama'
          ? 'not_needed'
          : 'missing',
    };
  }
  const config: LitellmConfig = {
    enabled: true,
    port: 0,
    host: '127.0.0.1',
    providers: ps,
    models: Object.entries(models).map(([name, chain]) => ({
      name,
      glob: /[*?]/.test(name),
      deployments: chain.map((e, index) => ({
        ...e,
        id: `${e.provider}/${e.model}`,
        alias: name,
        index,
        provider: ps[e.provider],
      })),
    })),
    fallbacks: { onRateLimit: true, onContextWindow: true, onError: true },
    router: { numRetries: 2, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 3, cooldownS: 30 },
    maxBodyBytes: 32 * 1024 * 1024,
    mcp: {
      maxImageBytes: 5 * 1024 * 1024,
      maxFilesBytes: 256 * 1024,
      threadTtlS: 3600,
      threadMaxTurns: 40,
      maxThreads: 1000,
    },
    ...over,
  };
  return { config, warnings: [] };
}

/** An in-process gateway; its spend ledger goes to `stateDir` (default: none, so tests never touch the user's). */
export async function startTestGateway(
  loaded: LoadedConfig,
  opts: { stateDir?: string | null } = {},
): Promise<Gateway> {
  return startGateway(loaded, { log: silentLogger(), stateDir: opts.stateDir ?? null });
}
