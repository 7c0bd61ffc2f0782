import { DEFAULT_PROVIDERS } from '../config/defaults.js';
import type { LoadedConfig } from '../config/types.js';
import type { Health } from './daemon-client.js';

/**
 * What `start` says besides "running": one line per thing that will not work as the user may
 * expect. With the embedded defaults and no provider key in the environment, which variables were
 * looked for; for each provider host that does not accept connections, that it is not answering.
 */
export function startNotes(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  deployments: Health['deployments'] = [],
): string[] {
  const notes: string[] = [];
  if (!loaded.path) {
    const vars = DEFAULT_PROVIDERS.flatMap((p) => (p.keyEnv ? [p.keyEnv] : []));
    if (!vars.some((v) => env[v]?.trim())) {
      notes.push(
        `note: no provider key found: looked for ${vars.join(', ')} in the environment; ` +
          'set one (or write a config: agentbox config init) and run agentbox litellm restart',
      );
    }
  }
  const seen = new Set<string>();
  for (const d of deployments) {
    if (d.state !== 'unreachable' || seen.has(d.provider)) continue;
    seen.add(d.provider);
    const [origin, ...why] = (d.reason ?? d.api_base).split(': ');
    notes.push(
      `note: provider ${d.provider}: ${origin} is not answering${why.length ? ` (${why.join(': ')})` : ''}; ` +
        `its deployments show as unreachable until it does (check that the server runs, or fix api_base)`,
    );
  }
  return notes;
}
