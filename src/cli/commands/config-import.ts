import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatIssue } from '../../config/format-issues.js';
import { importLitellmProxy } from '../../config/litellm/import-yaml.js';
import { EXIT, ExitError, err, out } from '../output.js';

export interface ConfigImportOptions {
  output?: string;
  force?: boolean;
}

/**
 * `agentbox config import <litellm.yaml> [-o config.yml] [--force]`: the equivalent agentbox
 * config, to stdout or the file given (never overwritten without --force), and a summary on stderr.
 */
export async function configImport(file: string, opts: ConfigImportOptions = {}): Promise<void> {
  const from = resolve(file);
  const text = await readFile(from, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ExitError(EXIT.usage, `agentbox: cannot read ${from} (${e.code ?? e.message})`);
  });
  const r = importLitellmProxy(text, file);
  if (!r.ok) {
    for (const e of r.errors) err(formatIssue(e));
    throw new ExitError(EXIT.usage, `agentbox: cannot import ${from}: ${r.errors.length} problem(s)`);
  }
  const { result } = r;
  if (opts.output) {
    const to = resolve(opts.output);
    if ((await stat(to).catch(() => undefined)) && !opts.force) {
      throw new ExitError(EXIT.usage, `agentbox: ${to} already exists; use --force to overwrite it`);
    }
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, result.text, 'utf8');
    err(`Wrote ${to}`);
  } else out(result.text);
  err(
    `${result.aliases} aliases, ${result.deployments} deployments carried over; ` +
      `${result.unsupported} deployment(s) not supported and ${result.ignored} key(s) ignored (each marked with a comment)`,
  );
}
