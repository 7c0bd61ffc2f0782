import { formatIgnored } from '../config/litellm/ignored.js';
import type { Deployment, IgnoredKey, LoadedConfig } from '../config/types.js';

/**
 * How a config was read, for `config validate`, `start` and `status`: each alias with its chain in
 * the order it is tried, and one line per key of a LiteLLM file that agentbox does not honour.
 */

export function ignoredLines(ignored: readonly IgnoredKey[] | undefined): string[] {
  return (ignored ?? []).map(formatIgnored);
}

/** `  gpt-4o: openai/gpt-4o → openai_2/gpt-4o-mini (after context_window)` per alias. */
export function chainLines(loaded: LoadedConfig): string[] {
  return loaded.config.models.map(
    (a) => `  ${a.name}: ${a.deployments.map(describeDeployment).join(' → ') || '(empty)'}`,
  );
}

function describeDeployment(d: Deployment): string {
  const notes: string[] = [];
  if (d.fallbackOn) notes.push(`after ${d.fallbackOn.join('/')}`);
  if (d.unsupported) notes.push(`unsupported: ${d.unsupported}`);
  else if (d.provider.keyState === 'missing') notes.push('key missing');
  return notes.length ? `${d.id} (${notes.join('; ')})` : d.id;
}
