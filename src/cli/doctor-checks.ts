import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PROVIDERS } from '../config/defaults.js';
import { defaultSchemaRef } from '../config/init-template.js';
import { formatIssue } from '../config/format-issues.js';
import type { LoadResult } from '../config/load.js';
import type { LoadedConfig } from '../config/types.js';
import { Reachability, originOf, providersInUse } from '../gateway/reachability.js';
import { createPricer } from '../gateway/usage/pricing.js';
import { unpricedBudgetIssues } from '../gateway/usage/unpriced.js';
import type { DaemonState } from '../shared/state-file.js';
import { clientUrl, daemonGet, type Readiness } from './daemon-client.js';

/** One line of `agentbox doctor`: what was checked, how it went, and the exact fix when it is not ok. */
export interface Check {
  check: string;
  status: 'ok' | 'fail' | 'warn' | 'skip';
  detail: string;
  fix?: string;
}

/** The config: found (or the embedded defaults) and valid; every problem is a failing line. */
export function configChecks(result: LoadResult, candidates: string[], env: NodeJS.ProcessEnv): Check[] {
  if (!result.ok) {
    return result.errors.map((e) => ({
      check: 'config',
      status: 'fail',
      detail: `${result.path ?? 'config'}: ${formatIssue(e)}`,
      fix: `edit the file, then: agentbox config validate${result.path ? ` ${result.path}` : ''}`,
    }));
  }
  const { loaded } = result;
  const n = loaded.config.models.length;
  const checks: Check[] = [
    loaded.path
      ? {
          check: 'config',
          status: 'ok',
          detail: `${loaded.path} is valid (${n} alias${n === 1 ? '' : 'es'})`,
        }
      : {
          check: 'config',
          status: 'warn',
          detail: `no config file (looked at ${[...new Set(candidates)].join(', ')}): the embedded defaults serve (${n} alias${n === 1 ? '' : 'es'})`,
          fix: 'agentbox config init',
        },
  ];
  if (!loaded.path) {
    const vars = DEFAULT_PROVIDERS.flatMap((p) => (p.keyEnv ? [p.keyEnv] : []));
    if (!vars.some((v) => env[v]?.trim())) {
      checks.push({
        check: 'keys',
        status: 'warn',
        detail: `no provider key found: looked for ${vars.join(', ')}; only local providers can serve`,
        fix: `export ${vars[0]}=… (or ${vars.slice(1).join(', ')}), then: agentbox litellm restart`,
      });
    }
  }
  for (const w of loaded.warnings)
    checks.push({ check: 'config', status: 'warn', detail: formatIssue(w), fix: 'edit the config file' });
  return checks;
}

/**
 * The editor's schema line (`# yaml-language-server: $schema=…`): a local path that does not exist
 * (the package moved, or the file was written by a clone since removed) validates nothing.
 */
export async function schemaLineCheck(loaded: LoadedConfig): Promise<Check[]> {
  if (!loaded.path) return [];
  const text = await readFile(loaded.path, 'utf8').catch(() => '');
  const ref = /^#\s*yaml-language-server\s*:\s*\$schema=(\S+)/m.exec(text)?.[1];
  if (!ref || /^https?:/.test(ref)) return [];
  const file = ref.startsWith('file:') ? fileURLToPath(ref) : resolve(dirname(loaded.path), ref);
  if (existsSync(file)) return [{ check: 'schema', status: 'ok', detail: `editor schema ${file} exists` }];
  return [
    {
      check: 'schema',
      status: 'warn',
      detail: `the editor schema line points at ${file}, which does not exist`,
      fix: `replace it with: # yaml-language-server: $schema=${defaultSchemaRef()}`,
    },
  ];
}

/** Each provider some alias uses: its key present, its host answering; budgets it cannot enforce. */
export async function providerChecks(loaded: LoadedConfig): Promise<Check[]> {
  const config = loaded.config;
  const where = loaded.path ? `the .env beside ${loaded.path}` : 'the environment';
  const checks: Check[] = [];
  const used = new Map<string, (typeof config.providers)[string]>();
  for (const a of config.models) for (const d of a.deployments) used.set(d.provider.name, d.provider);
  for (const p of used.values()) {
    if (p.keyState === 'missing') {
      const vars = p.missingEnv?.length ? p.missingEnv : [`litellm.providers.${p.name}.api_key`];
      checks.push({
        check: `key ${p.name}`,
        status: 'fail',
        detail: `no key: ${vars.join(', ')} is not set; its deployments are skipped`,
        fix: `export ${vars[0]}=… (or put it in ${where})`,
      });
    } else {
      checks.push({
        check: `key ${p.name}`,
        status: 'ok',
        detail: p.keyState === 'set' ? 'set' : 'not needed',
      });
    }
  }
  const reach = new Reachability();
  await reach.probe(config);
  for (const p of providersInUse(config)) {
    const r = reach.of(p);
    const origin = originOf(p.apiBase)?.origin ?? p.apiBase;
    checks.push(
      !r
        ? {
            check: `reach ${p.name}`,
            status: 'fail',
            detail: `api_base ${p.apiBase} is not a URL`,
            fix: `fix litellm.providers.${p.name}.api_base`,
          }
        : r.ok
          ? { check: `reach ${p.name}`, status: 'ok', detail: `${origin} accepts connections` }
          : {
              check: `reach ${p.name}`,
              status: 'fail',
              detail: `${origin} is not answering (${r.error})`,
              fix: `start the server at ${origin}, or fix litellm.providers.${p.name}.api_base`,
            },
    );
  }
  for (const w of unpricedBudgetIssues(config, createPricer()))
    checks.push({
      check: 'budget',
      status: 'warn',
      detail: formatIssue(w),
      fix: 'set the price keys named above',
    });
  return checks;
}

/** The daemon: running, answering, and serving the same config as the one checked. */
export async function daemonChecks(
  daemon: DaemonState | undefined,
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ checks: Check[]; url?: string }> {
  if (!daemon) {
    return {
      checks: [{ check: 'gateway', status: 'fail', detail: 'not running', fix: 'agentbox litellm start' }],
    };
  }
  const url = clientUrl(daemon);
  try {
    await daemonGet<Readiness>(daemon, '/health/readiness', { env, timeoutMs: 3000 });
  } catch (e) {
    return {
      url,
      checks: [
        {
          check: 'gateway',
          status: 'fail',
          detail: `pid ${daemon.pid} runs but does not answer on ${url}: ${(e as Error).message}`,
          fix: 'agentbox litellm restart (and see: agentbox litellm logs)',
        },
      ],
    };
  }
  const checks: Check[] = [
    { check: 'gateway', status: 'ok', detail: `running on ${url} (pid ${daemon.pid})` },
  ];
  if (loaded && (loaded.path ?? null) !== daemon.config_path) {
    checks.push({
      check: 'gateway',
      status: 'warn',
      detail: `it serves ${daemon.config_path ?? 'the embedded defaults'}, not ${loaded.path ?? 'the embedded defaults'}`,
      fix: `agentbox litellm restart${loaded.path ? ` --config ${loaded.path}` : ''}`,
    });
  }
  return { checks, url };
}
