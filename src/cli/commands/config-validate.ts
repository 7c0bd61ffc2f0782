import { describeDeployments, loadConfig } from '../../config/load.js';
import { formatIssue } from '../../config/format-issues.js';
import { createPricer } from '../../gateway/usage/pricing.js';
import { unpricedBudgetIssues } from '../../gateway/usage/unpriced.js';
import { configCandidates } from '../../shared/paths.js';
import { chainLines, ignoredLines } from '../config-report.js';
import { EXIT, ExitError, err, out } from '../output.js';

/**
 * `agentbox config validate [PATH]`: every problem as a `path: message` line on stderr (exit 2),
 * or `OK: <file>  N aliases, M deployments` on stdout followed by the warnings on stderr.
 */
export async function configValidate(path?: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const result = await loadConfig({ path, env });
  if (!result.ok) {
    for (const issue of result.errors) err(formatIssue(issue));
    const n = result.errors.length;
    throw new ExitError(
      EXIT.usage,
      `invalid config${result.path ? ` ${result.path}` : ''}: ${n} problem${n === 1 ? '' : 's'}`,
    );
  }
  const { loaded } = result;
  const rows = describeDeployments(loaded);
  const where = loaded.path ?? `embedded defaults (no file at ${configCandidates(env).join(' or ')})`;
  out(`OK: ${where}  ${loaded.config.models.length} aliases, ${rows.length} deployments`);
  if (loaded.format === 'litellm-proxy') {
    out('read as a LiteLLM proxy config; aliases and their chains, in the order tried:');
    out(chainLines(loaded).join('\n'));
    const ignored = ignoredLines(loaded.ignored);
    out(ignored.length ? ignored.join('\n') : 'nothing ignored');
  }
  for (const w of loaded.warnings) err(`warning: ${formatIssue(w)}`);
  for (const w of unpricedBudgetIssues(loaded.config, createPricer())) err(`warning: ${formatIssue(w)}`);
  for (const row of rows) {
    if (row.key !== 'missing') continue;
    const vars = loaded.config.providers[row.provider]?.missingEnv;
    err(
      `warning: ${row.alias} → ${row.provider}/${row.model}: key missing${vars?.length ? ` (${vars.join(', ')})` : ''}`,
    );
  }
}
