import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-usage-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const path = join(dir, 'config.yml');
  writeFileSync(path, yaml);
  return loadConfig({ path, env: { HOME: dir, ...env } });
}

const BASE = `litellm:
  providers: { openai: { api_key: sk-x } }
  models:
    default: [{ provider: openai, model: gpt-4o, rpm: 60, tpm: 100000, cache_read_input_token_cost: 0.0000001, cache_creation_input_token_cost: 0.000001 }]
    code: [{ provider: openai, model: gpt-4o }]
`;

describe('the usage sections of the config', () => {
  it('loads keys, budgets, rate limits (global, per alias), cache and redis_url, keys via ${ENV}', async () => {
    const r = await load(
      `${BASE}  keys:
    claude: { key: \${CLAUDE_AGENT_KEY}, models: ["claude-*", code], budget: { usd_per_day: 5 }, rpm: 120, tpm: 400000 }
  budgets: { usd_per_day: 20, usd_per_month: 200, aliases: { code: { usd_per_day: 3 } } }
  rate_limits: { rpm: 600, tpm: 2000000, aliases: { code: { rpm: 30 } } }
  cache: { type: redis, ttl: 60, max_entries: 50 }
  redis_url: redis://127.0.0.1:6379
`,
      { CLAUDE_AGENT_KEY: 'sk-claude-value' },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.loaded.config;
    expect(c.keys?.claude).toMatchObject({
      name: 'claude',
      key: 'sk-claude-value',
      keyState: 'set',
      rpm: 120,
      tpm: 400000,
      budget: { usdPerDay: 5 },
    });
    expect(c.budgets).toEqual({ usdPerDay: 20, usdPerMonth: 200, aliases: { code: { usdPerDay: 3 } } });
    expect(c.rateLimits).toEqual({ rpm: 600, tpm: 2000000, aliases: { code: { rpm: 30 } } });
    expect(c.cache).toEqual({ type: 'redis', ttlS: 60, maxEntries: 50 });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.models[0].deployments[0]).toMatchObject({
      rpm: 60,
      tpm: 100000,
      cacheReadCostPerToken: 1e-7,
      cacheWriteCostPerToken: 1e-6,
    });
  });

  it('reports a malformed budgets, keys or rate_limits section with paths, all at once', async () => {
    const r = await load(`${BASE}  keys:
    claude: { models: code, rpm: 0 }
  budgets: { usd_per_day: -1, aliases: { code: { usd_per_week: 3 } } }
  rate_limits: { rpm: 1.5, aliases: { code: { tpm: -5 } } }
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    for (const p of [
      'litellm.keys.claude.key',
      'litellm.keys.claude.models',
      'litellm.keys.claude.rpm',
      'litellm.budgets.usd_per_day',
      'litellm.budgets.aliases.code',
      'litellm.rate_limits.rpm',
      'litellm.rate_limits.aliases.code.tpm',
    ]) {
      expect(
        paths.some((x) => x.startsWith(p)),
        `${p} in ${paths.join(', ')}`,
      ).toBe(true);
    }
  });

  it('warns about per-alias limits for aliases that do not exist, and a key whose variable is missing', async () => {
    const r = await load(`${BASE}  keys:
    codex: { key: \${CODEX_AGENT_KEY} }
  rate_limits: { aliases: { nope: { rpm: 5 } } }
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const w = r.loaded.warnings.map((x) => `${x.path}: ${x.message}`).join('\n');
    expect(w).toContain('litellm.rate_limits.aliases.nope');
    expect(w).toContain('litellm.keys.codex.key');
    expect(r.loaded.config.keys?.codex.keyState).toBe('missing');
  });
});
