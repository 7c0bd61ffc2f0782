import { AGENT_DEFAULT_MODEL_NAMES } from '../../config/agent-models.js';
import type { ModelAlias } from '../../config/types.js';
import { globMatch, modelNotFound, resolveModel } from '../router/resolve.js';
import { aliasContextWindow } from '../params/context-window.js';
import { sendJson, type RequestContext } from './context.js';

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the aliases a caller may use, in a shape both the
 * OpenAI and the Anthropic SDK accept (`id`/`object`/`owned_by`, `type`/`display_name`/`created_at`),
 * plus `label` and `provider` for model pickers. A glob alias is listed by its pattern
 * (`pattern: true`) and by the default names of coding agents it catches (`alias: <pattern>`).
 */

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'agentbox';
  type: 'model';
  display_name: string;
  created_at: string;
  label: string;
  provider: string | null;
  /** The smallest context window of the alias's chain; null when unknown (agents compact by it). */
  context_window?: number | null;
  /** For a name a glob alias catches: the glob. */
  alias?: string;
  /** True for the glob pattern itself. */
  pattern?: boolean;
}

function windowOf(a: ModelAlias): { context_window: number | null } {
  return { context_window: aliasContextWindow(a.deployments) };
}

/** "<model> (<provider>)" of the first deployment, unless `model_labels` names the alias. */
export function aliasLabel(a: ModelAlias): string {
  if (a.label) return a.label;
  const first = a.deployments[0];
  return first ? `${first.model} (${first.provider.name})` : a.name;
}

function entry(ctx: RequestContext, id: string, a: ModelAlias, extra: Partial<ModelEntry> = {}): ModelEntry {
  return {
    id,
    object: 'model',
    created: Math.floor(ctx.state.startedAt / 1000),
    owned_by: 'agentbox',
    type: 'model',
    display_name: id,
    created_at: new Date(ctx.state.startedAt).toISOString(),
    label: aliasLabel(a),
    provider: a.deployments[0]?.provider.name ?? null,
    ...windowOf(a),
    ...extra,
  };
}

/** Every entry the caller may see, aliases in file order. */
export function modelEntries(ctx: RequestContext, visible: (name: string) => boolean): ModelEntry[] {
  const models = ctx.state.loaded.config.models;
  const out: ModelEntry[] = [];
  const seen = new Set<string>();
  const add = (e: ModelEntry): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    out.push(e);
  };
  for (const a of models) {
    if (!a.glob) {
      if (visible(a.name)) add(entry(ctx, a.name, a));
      continue;
    }
    if (visible(a.name)) add(entry(ctx, a.name, a, { pattern: true }));
    for (const name of AGENT_DEFAULT_MODEL_NAMES) {
      // A name an exact alias (or an earlier glob) serves is not this glob's.
      if (!globMatch(a.name, name) || resolveModel(ctx.state.loaded.config, name).alias !== a.name) continue;
      if (visible(name)) add(entry(ctx, name, a, { alias: a.name }));
    }
  }
  return out;
}

export function handleModels(ctx: RequestContext, visible: (name: string) => boolean): void {
  const data = modelEntries(ctx, visible);
  sendJson(ctx, 200, {
    object: 'list',
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  });
}

/** `GET /v1/models/{id}` (what both SDKs' `models.retrieve` call): any name that resolves for this caller. */
export function handleModel(ctx: RequestContext, id: string, visible: (name: string) => boolean): void {
  const config = ctx.state.loaded.config;
  const { alias } = resolveModel(config, id, visible);
  // The same answer as for a name that does not exist: a key learns nothing outside its plan.
  if (!visible(id) && !visible(alias)) throw modelNotFound(config, id, visible);
  const a = config.models.find((m) => m.name === alias);
  if (a) {
    const extra: Partial<ModelEntry> = a.glob ? (id === a.name ? { pattern: true } : { alias: a.name }) : {};
    return sendJson(ctx, 200, entry(ctx, id, a, extra));
  }
  // provider/model, straight to a configured provider.
  const provider = id.slice(0, id.indexOf('/'));
  return sendJson(ctx, 200, {
    ...entry(ctx, id, { name: id, glob: false, deployments: [] }),
    label: id,
    provider,
  });
}
