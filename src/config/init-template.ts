import { fileURLToPath } from 'node:url';
import { DEFAULT_CHAINS, DEFAULT_PROVIDERS, availableDefaultProviders, defaultChains } from './defaults.js';
import type { Env } from './env.js';

/**
 * The file `agentbox config init` writes: the embedded defaults for this environment as commented
 * YAML. Providers whose key variable is not set are written commented out, with their chain
 * entries, so enabling one later is a matter of removing `# `. It loads back to exactly the
 * aliases and deployments of the embedded defaults (a unit test holds it to that).
 */

/** The installed package's `config.schema.json`, for the `yaml-language-server` line. */
export function defaultSchemaRef(): string {
  return fileURLToPath(new URL('../../config.schema.json', import.meta.url));
}

export function defaultConfigTemplate(env: Env, schemaRef = defaultSchemaRef()): string {
  const available = new Set(availableDefaultProviders(env).map((p) => p.name));
  const active = defaultChains([...available]);
  const L: string[] = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '#',
    '# agentbox config, written by `agentbox config init`. Check changes with `agentbox config validate`.',
    '# The gateway (`agentbox litellm start`) reads the litellm: section; other top-level sections',
    '# belong to other agentbox features.',
    '#',
    '# Secrets: ${VAR}, ${VAR:-default} and os.environ/VAR expand from the environment and from a',
    '# .env file beside this one (variables already in the environment win). A missing variable does',
    '# not break the file: the deployments that need it are skipped and reported as `key: missing`.',
    '',
    'litellm:',
    '  enabled: true',
    '  port: 4000                       # LITELLM_PORT and --port override it',
    '  host: 127.0.0.1                  # loopback only, unless master_key is set',
    '  # master_key: "${AGENTBOX_MASTER_KEY}"   # when set, every request must carry it',
    '',
    '  # openai, anthropic, ollama, gemini, azure, mistral, groq, deepseek, openrouter, together and',
    '  # vllm are known by name; any other name needs `type` (openai, anthropic, ollama,',
    '  # openai_compatible) or gets openai_compatible from its `api_base`.',
    '  providers:',
  ];
  for (const p of DEFAULT_PROVIDERS) {
    const on = available.has(p.name);
    const why = on || !p.keyEnv ? '' : `; ${p.keyEnv} was not set when this file was written`;
    L.push(`    # ${p.comment}${why}`);
    L.push(`    ${on ? '' : '# '}${p.name}: ${flowMap(p.entry)}`);
  }
  L.push(
    '',
    '  # Alias -> ordered fallback chain. Names with * or ? are globs, tried in file order, and',
    '  # `provider/model` (e.g. openai/gpt-4o-mini) works without an alias. An entry may also set',
    '  # weight, timeout, max_tokens, context_window, input_cost_per_token, output_cost_per_token,',
    '  # rpm, tpm and params (defaults merged into each request).',
    '  models:',
  );
  const activeNames = new Set(active.map(([alias]) => alias));
  for (const [alias, chain] of Object.entries(DEFAULT_CHAINS)) {
    const on = activeNames.has(alias);
    const note = alias === 'claude-*' ? '   # the model names Claude Code sends' : '';
    L.push(`    ${on ? '' : '# '}${scalar(alias)}:${note}`);
    for (const [provider, model] of chain) {
      const entryOn = on && available.has(provider);
      L.push(`    ${entryOn ? '  ' : '#   '}- ${flowMap({ provider, model })}`);
    }
  }
  L.push(
    '',
    '  fallbacks: { on_rate_limit: true, on_context_window: true, on_error: true }',
    '  router: { num_retries: 3, timeout: 120, retry_after_seconds: 60, allowed_fails: 3, cooldown: 30 }',
    '',
    '  # Virtual keys: when present, only these (and master_key) are accepted.',
    '  # keys:',
    '  #   claude: { key: "${CLAUDE_AGENT_KEY}", models: ["claude-*", code], budget: { usd_per_day: 5 }, rpm: 120 }',
    '  #   codex: { key: "${CODEX_AGENT_KEY}", models: [default, fast], budget: { usd_per_month: 50 } }',
    '  # budgets: { usd_per_day: 20, usd_per_month: 200, aliases: { code: { usd_per_day: 3 } } }',
    '  # rate_limits: { rpm: 600, tpm: 2000000 }',
    '  # cache: { type: memory, ttl: 300, max_entries: 1000 }',
    '  # redis_url: "${REDIS_URL}"    # share limits, cooldowns, cache and budget counters',
    '',
  );
  return L.join('\n');
}

function flowMap(entry: Record<string, string>): string {
  return `{ ${Object.entries(entry)
    .map(([k, v]) => `${k}: ${scalar(v)}`)
    .join(', ')} }`;
}

/** A plain scalar when it is safely one, else double-quoted (always for `${VAR}` and globs). */
function scalar(s: string): string {
  const plain = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$|^https?:\/\/[A-Za-z0-9_.\-/:]+$/.test(s);
  return plain && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s);
}
