import { readFile } from 'node:fs/promises';
import { CLAUDE_MAIN_NAMES, CLAUDE_SMALL_NAMES } from '../../config/agent-models.js';
import { formatIssue } from '../../config/format-issues.js';
import { loadConfig } from '../../config/load.js';
import type { LitellmConfig, LoadedConfig } from '../../config/types.js';
import { parseYaml } from '../../config/yaml-text.js';
import { resolveModel } from '../../gateway/router/resolve.js';
import { clientUrl, findDaemon } from '../daemon-client.js';
import { EXIT, ExitError, err, out } from '../output.js';
import { geminiText } from './env-gemini.js';

export const ENV_TARGETS = ['claude', 'codex', 'gemini'] as const;
export type EnvTarget = (typeof ENV_TARGETS)[number];

/** The environment variable Codex reads its key from (`env_key` in config.toml). */
export const CODEX_KEY_VAR = 'AGENTBOX_API_KEY';
/** The key to send when the gateway checks none (any value is accepted on loopback). */
export const PLACEHOLDER_KEY = 'agentbox';

/** How an agent reaches the gateway: its root URL, the key to present (as shell text) and the config. */
export interface AgentTarget {
  url: string;
  /** Shell text for the key: `"$VAR"`, or a quoted placeholder. Never a secret's value. */
  key: string;
  config: LitellmConfig;
  /** `--model`: the alias the agent should ask for, instead of the one picked from the config. */
  model?: string;
}

/**
 * Environment lines for Claude Code: base URL (no `/v1`, Claude Code appends it), the key as a
 * Bearer token (ANTHROPIC_API_KEY would win over it, so it is unset), no nonessential traffic, and
 * model names only when the config has no alias for the names Claude Code sends by default.
 */
export function claudeLines(t: AgentTarget): string[] {
  const lines = [
    `export ANTHROPIC_BASE_URL=${shellWord(t.url)}`,
    `export ANTHROPIC_AUTH_TOKEN=${t.key}`,
    'unset ANTHROPIC_API_KEY',
    'export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
  ];
  const main =
    t.model ??
    (servesAny(t.config, CLAUDE_MAIN_NAMES) ? undefined : pickAlias(t.config, ['code', 'default']));
  const small =
    t.model ??
    (servesAny(t.config, CLAUDE_SMALL_NAMES) ? undefined : pickAlias(t.config, ['fast', 'default', 'code']));
  if (main) lines.push(`export ANTHROPIC_MODEL=${shellWord(main)}`);
  if (small) {
    lines.push(`export ANTHROPIC_SMALL_FAST_MODEL=${shellWord(small)}`);
    lines.push(`export ANTHROPIC_DEFAULT_HAIKU_MODEL=${shellWord(small)}`);
  }
  return lines;
}

/**
 * Codex: the config.toml lines (top-level `model` and `model_provider`, then the provider table:
 * Codex appends `/responses` to base_url and sends `Authorization: Bearer $env_key`), and the shell
 * line that sets the key variable.
 */
export function codexLines(t: AgentTarget): { toml: string[]; shell: string[] } {
  const model = t.model ?? pickAlias(t.config, ['code', 'default']) ?? 'default';
  return {
    toml: [
      `model = ${tomlString(model)}`,
      'model_provider = "agentbox"',
      '',
      '[model_providers.agentbox]',
      'name = "agentbox"',
      `base_url = ${tomlString(`${t.url}/v1`)}`,
      `env_key = "${CODEX_KEY_VAR}"`,
      'wire_api = "responses"',
    ],
    shell: [`export ${CODEX_KEY_VAR}=${t.key}`],
  };
}

/** True when one of these names resolves to an alias (exact or glob). */
export function servesAny(config: LitellmConfig, names: readonly string[]): boolean {
  return names.some((n) => {
    try {
      resolveModel(config, n);
      return true;
    } catch {
      return false;
    }
  });
}

export function pickAlias(config: LitellmConfig, preferred: string[]): string | undefined {
  const exact = config.models.filter((a) => !a.glob).map((a) => a.name);
  return preferred.find((p) => exact.includes(p)) ?? exact[0];
}

/** A value as one shell word: as it is when it holds only safe characters, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A TOML basic string that stays inert if the lines are pasted into (or eval'd by) a shell: no `$` or backtick. */
function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\$/g, '\\u0024').replace(/`/g, '\\u0060');
}

/**
 * The key as shell text, without ever printing a secret: a virtual key named after the agent, else
 * the master key, each as a reference to the variable it is read from (`${VAR}` or `os.environ/VAR`
 * in the file). A key written literally in the file gets a placeholder and a note; no key, any value.
 */
export function keyReference(
  raw: unknown,
  config: LitellmConfig,
  target: EnvTarget,
  shellEnv: NodeJS.ProcessEnv = process.env,
): { key: string; note?: string } {
  const section = (raw as { litellm?: Record<string, unknown> } | undefined)?.litellm ?? {};
  const keys = section.keys as Record<string, { key?: unknown }> | undefined;
  const candidates: Array<[string, unknown, string | undefined]> = [
    [`litellm.keys.${target}.key`, keys?.[target]?.key, config.keys?.[target]?.key],
    ['litellm.master_key', section.master_key, config.masterKey],
  ];
  for (const [path, text, value] of candidates) {
    if (!value) continue;
    const v = typeof text === 'string' ? envVarOf(text) : undefined;
    if (v) {
      const unset = !shellEnv[v];
      return {
        key: `"$${v}"`,
        ...(unset
          ? {
              note: `${v} is not set in this shell (the gateway may read it from the .env beside its config): export it before these lines`,
            }
          : {}),
      };
    }
    return {
      key: `'<${path}>'`,
      note: `${path} is written literally in the config file; agentbox does not print secrets: replace '<${path}>' with it, or set it as \${VAR} in the file`,
    };
  }
  if (config.keys && Object.keys(config.keys).length > 0) {
    return {
      key: `'<one of litellm.keys>'`,
      note: 'the gateway accepts only its virtual keys: put one of them in place of the placeholder',
    };
  }
  return { key: PLACEHOLDER_KEY };
}

function envVarOf(text: string): string | undefined {
  const t = text.trim();
  return (
    /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}$/.exec(t)?.[1] ??
    /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(t)?.[1]
  );
}

/**
 * `agentbox env <claude|codex|gemini> [--config P] [--model M]`: what to set to point an agent at the
 * gateway. The URL comes from the running daemon's state file, else from the config's host and port.
 */
export async function env(
  target: string,
  opts: { config?: string; model?: string },
  environ: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (!(ENV_TARGETS as readonly string[]).includes(target)) {
    throw new ExitError(
      EXIT.usage,
      `agentbox env: unknown agent "${target}"; expected one of: ${ENV_TARGETS.join(', ')}`,
    );
  }
  const daemon = await findDaemon(environ);
  const configPath = opts.config ?? daemon?.config_path ?? undefined;
  const result = await loadConfig({ path: configPath, env: environ });
  if (!result.ok) {
    for (const issue of result.errors) err(formatIssue(issue));
    throw new ExitError(
      EXIT.usage,
      `config invalid: ${result.errors.length} problem(s)${result.path ? ` in ${result.path}` : ''}`,
    );
  }
  const { config } = result.loaded;
  const url = daemon ? clientUrl(daemon) : configUrl(config);
  const ref = keyReference(await rawConfig(result.loaded), config, target as EnvTarget, environ);
  const t: AgentTarget = { url, key: ref.key, config, model: opts.model };
  if (target === 'claude') {
    out(claudeLines(t).join('\n'));
  } else if (target === 'gemini') {
    out(geminiText(t));
  } else {
    const c = codexLines(t);
    out(
      [
        '# $CODEX_HOME/config.toml (default ~/.codex/config.toml); top-level keys go before any [table]',
        ...c.toml,
        '',
        '# shell',
        ...c.shell,
      ].join('\n'),
    );
  }
  if (ref.note) err(`agentbox: ${ref.note}`);
  if (!daemon) err(`agentbox: the gateway is not running; start it with: agentbox litellm start`);
}

/** The URL a local client uses for the configured listen address. */
export function configUrl(config: Pick<LitellmConfig, 'host' | 'port'>): string {
  const host =
    config.host === '0.0.0.0' || config.host === ''
      ? '127.0.0.1'
      : config.host === '::'
        ? '::1'
        : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

async function rawConfig(loaded: LoadedConfig): Promise<unknown> {
  if (!loaded.path) return undefined;
  try {
    const parsed = parseYaml(await readFile(loaded.path, 'utf8'), loaded.path);
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}
