import type { LitellmConfig } from '../../config/types.js';

/**
 * Metric labels come only from configured names, so clients cannot grow `/metrics` by inventing
 * model names: an alias is its own label; a direct `provider/model` name is labelled `provider/*`,
 * for the alias and the deployment alike. A request refused before admission has no alias label.
 */

const configured = new WeakMap<LitellmConfig, { aliases: Set<string>; ids: Set<string> }>();

function namesOf(config: LitellmConfig): { aliases: Set<string>; ids: Set<string> } {
  let names = configured.get(config);
  if (!names) {
    names = {
      aliases: new Set(config.models.map((a) => a.name)),
      ids: new Set(config.models.flatMap((a) => a.deployments.map((d) => d.id))),
    };
    configured.set(config, names);
  }
  return names;
}

/** `provider/*` for a `provider/anything` name whose provider is configured, else "". */
function directLabel(config: LitellmConfig, name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 && Object.hasOwn(config.providers, name.slice(0, slash))
    ? `${name.slice(0, slash)}/*`
    : '';
}

/** The label of the alias a request resolved to (`provider/*` for a direct name). */
export function aliasLabel(config: LitellmConfig, alias: string | null | undefined): string {
  if (!alias) return '';
  return namesOf(config).aliases.has(alias) ? alias : directLabel(config, alias);
}

/** The label of the deployment that answered (`<provider>/<model>`): itself when configured, else `provider/*`. */
export function deploymentLabel(config: LitellmConfig, id: string | undefined): string {
  if (!id) return '';
  return namesOf(config).ids.has(id) ? id : directLabel(config, id);
}
