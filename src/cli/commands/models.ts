import { formatIssue } from '../../config/format-issues.js';
import { loadConfig } from '../../config/load.js';
import type { LoadedConfig } from '../../config/types.js';
import { Reachability } from '../../gateway/reachability.js';
import { configState } from '../../gateway/deployments.js';
import type { DaemonState } from '../../shared/state-file.js';
import { daemonGet, findDaemon } from '../daemon-client.js';
import { EXIT, ExitError, err, json, out } from '../output.js';
import { aliasFigures } from '../../gateway/router/figures.js';
import { LiveStats } from '../../gateway/router/live-stats.js';
import {
  groupedAliases,
  ROUTING_HEADERS,
  routingCells,
  routingJson,
  type RoutingJson,
} from '../routing-columns.js';
import { table } from '../table.js';

/** `models --json`: stable, documented in the README. */
export interface ModelJson {
  name: string;
  deployments: Array<
    { provider: string; model: string; api_base: string; key: string; state: string } & Partial<RoutingJson>
  >;
}

interface ModelInfo {
  data: Array<{
    model_name: string;
    litellm_params: { model: string; api_base?: string };
    model_info: {
      provider: string;
      model: string;
      key: string;
      state: string;
      group_size?: number;
    } & Partial<RoutingJson>;
  }>;
}

/**
 * `agentbox litellm models [--json] [--config P]`: each alias with its fallback chain and the key
 * and health state of every deployment; from the running daemon (live cooldowns), else from the
 * config file (`--config` reads that file even while a daemon runs).
 */
export async function models(opts: { json?: boolean; config?: string }): Promise<void> {
  const env = process.env;
  const running = await findDaemon(env);
  const daemon = opts.config ? undefined : running;
  let list: ModelJson[];
  let source: string;
  if (daemon) {
    const info = await daemonGet<ModelInfo>(daemon, '/model/info', { env }).catch((e: Error) => {
      throw new ExitError(
        EXIT.failure,
        `agentbox: the gateway (pid ${daemon.pid}) does not answer: ${e.message}`,
      );
    });
    list = fromModelInfo(info);
    source = `from the running gateway (pid ${daemon.pid})`;
  } else {
    const result = await loadConfig({ path: opts.config, env });
    if (!result.ok) {
      for (const e of result.errors) err(formatIssue(e));
      throw new ExitError(
        EXIT.usage,
        `config invalid: ${result.errors.length} problem(s)${result.path ? ` in ${result.path}` : ''}`,
      );
    }
    const reach = new Reachability();
    await reach.probe(result.loaded.config);
    list = fromConfig(result.loaded, reach);
    source = `from ${result.loaded.path ?? 'the embedded defaults'} (${configSourceNote(running, result.loaded.path)})`;
  }
  if (opts.json) return json(list);
  const rows = list.flatMap((m) =>
    m.deployments.map((d) => [m.name, d.provider, d.model, d.key, d.state, ...routingCells(d), d.api_base]),
  );
  out(
    rows.length
      ? table(['ALIAS', 'PROVIDER', 'MODEL', 'KEY', 'STATE', ...ROUTING_HEADERS, 'API BASE'], rows, {
          blankRepeats: 0,
        })
      : 'no models configured',
  );
  err(`${list.length} alias${list.length === 1 ? '' : 'es'} ${source}`);
}

/** Why the list comes from a file, and how it relates to the running gateway, if there is one. */
export function configSourceNote(running: DaemonState | undefined, path: string | undefined): string {
  if (!running) return 'the gateway is not running';
  const same = (running.config_path ?? undefined) === path;
  const what = running.config_path ?? 'the embedded defaults';
  return same
    ? `the file as it is now; the running gateway (pid ${running.pid}) serves it too, with live states: agentbox litellm models`
    : `not what the running gateway (pid ${running.pid}) serves: it uses ${what}`;
}

export function fromModelInfo(info: ModelInfo): ModelJson[] {
  const byName = new Map<string, ModelJson>();
  const grouped = groupedAliases(
    info.data.map((r) => ({ alias: r.model_name, group_size: r.model_info.group_size })),
  );
  for (const row of info.data) {
    let m = byName.get(row.model_name);
    if (!m) byName.set(row.model_name, (m = { name: row.model_name, deployments: [] }));
    m.deployments.push({
      provider: row.model_info.provider,
      model: row.model_info.model,
      api_base: row.litellm_params.api_base ?? '',
      key: row.model_info.key,
      state: row.model_info.state,
      ...(grouped.has(row.model_name) ? routingJson(row.model_info as RoutingJson) : {}),
    });
  }
  return [...byName.values()];
}

/** The config's chains; with a probe, a provider whose host does not answer shows as `unreachable`. */
export function fromConfig(loaded: LoadedConfig, reach?: Reachability): ModelJson[] {
  const live = new LiveStats();
  return loaded.config.models.map((a) => {
    const figures = aliasFigures(loaded.config, a, live);
    const grouped = figures.some((f) => f.group_size > 1);
    return {
      name: a.name,
      deployments: a.deployments.map((d, i) => ({
        provider: d.provider.name,
        model: d.model,
        api_base: d.provider.apiBase,
        key: d.provider.keyState,
        state: configState(d) ?? (reach?.of(d.provider)?.ok === false ? 'unreachable' : 'ok'),
        ...(grouped ? routingJson(figures[i]) : {}),
      })),
    };
  });
}
