import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { availableDefaultProviders } from '../../config/defaults.js';
import { readDotEnv, withDotEnv } from '../../config/env.js';
import { defaultConfigTemplate } from '../../config/init-template.js';
import { defaultConfigPath } from '../../shared/paths.js';
import { EXIT, ExitError, out } from '../output.js';

export interface ConfigInitOptions {
  force?: boolean;
  /** Where to write; else $AGENTBOX_CONFIG, else the default path of §2. */
  config?: string;
}

/**
 * `agentbox config init [--force] [--config PATH]`: writes the embedded defaults for this
 * environment (and the `.env` beside the target) as a commented file. Never overwrites without --force.
 */
export async function configInit(
  opts: ConfigInitOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const file = resolve(opts.config || env.AGENTBOX_CONFIG || defaultConfigPath(env));
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new ExitError(EXIT.usage, `agentbox: ${file} is a directory`);
  if (existing && !opts.force) {
    throw new ExitError(EXIT.usage, `agentbox: ${file} already exists; use --force to overwrite it`);
  }
  const merged = withDotEnv(env, await readDotEnv(dirname(file)).catch(() => ({})));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, defaultConfigTemplate(merged), 'utf8');
  const names = availableDefaultProviders(merged).map((p) => p.name);
  out(`Wrote ${file} (providers: ${names.join(', ')})`);
}
