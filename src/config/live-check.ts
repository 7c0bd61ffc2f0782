import { readFile } from 'node:fs/promises';
import type { ConfigIssue } from './types.js';
import { isLitellmProxyConfig } from './litellm/convert.js';
import { parseYaml } from './yaml-text.js';

/**
 * What a running daemon refuses to swap in although a fresh start would accept it: a config file
 * that is empty, holds only comments, or has neither a `litellm:` section nor LiteLLM's own
 * sections (such files are errors at start). An editor that saves by truncating and rewriting shows exactly these for a
 * moment; taking them would make every alias vanish. The previous config keeps serving.
 */
export async function liveConfigProblem(file: string): Promise<ConfigIssue | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      path: file,
      message:
        code === 'ENOENT'
          ? 'the config file is gone; the running config keeps serving (restart to use the embedded defaults)'
          : `cannot read the config file: ${(e as Error).message}`,
    };
  }
  if (text.trim() === '') return { path: file, message: 'the config file is empty (being rewritten?)' };
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return undefined; // the loader reports its own errors
  const root = parsed.value as Record<string, unknown> | null | undefined;
  if (root === null || root === undefined)
    return { path: file, message: 'the config file holds only comments (being rewritten?)' };
  if (
    typeof root === 'object' &&
    !Array.isArray(root) &&
    !('litellm' in root) &&
    !isLitellmProxyConfig(root as Record<string, unknown>)
  )
    return {
      path: 'litellm',
      message: `${file} has no litellm: section; a running gateway keeps its config rather than dropping every alias`,
    };
  return undefined;
}
