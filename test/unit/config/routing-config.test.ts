import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';

const base = (
  router: string,
  models = '    pool:\n      - { provider: p, model: a, order: 0, weight: 2 }\n      - { provider: p, model: b, order: 0 }',
) =>
  `litellm:\n  providers: { p: { type: openai_compatible, api_base: "http://127.0.0.1:9/v1" } }\n  models:\n${models}\n  router: { ${router} }\n`;

describe('routing keys in config.yml', () => {
  it('reads order, router.strategy and per-alias strategies, mapping LiteLLM names to ours', () => {
    const r = loadConfigText(
      base('strategy: simple-shuffle, aliases: { pool: { strategy: latency-based-routing } }'),
      {
        env: {},
      },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.loaded.config.router.strategy).toBe('weighted');
    expect(r.loaded.config.router.aliasStrategies).toEqual({ pool: 'latency' });
    expect(r.loaded.config.models[0].deployments.map((d) => [d.order, d.weight])).toEqual([
      [0, 2],
      [0, undefined],
    ]);
    // The alias's strategy is latency, so its weight does nothing: said, not ignored.
    expect(r.loaded.warnings).toContainEqual({
      path: 'litellm.models.pool[0].weight',
      message: 'has no effect under strategy latency (only weighted uses it)',
    });
  });

  it('refuses an unknown strategy naming the accepted ones, and warns about a per-alias entry for no alias', () => {
    const bad = loadConfigText(base('strategy: round-robin'), { env: {} });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors[0].path).toBe('litellm.router.strategy');
    expect(bad.errors[0].message).toMatch(/ordered/);
    expect(bad.errors[0].message).toMatch(/least-busy/);
    const negative = loadConfigText(base('', '    pool:\n      - { provider: p, model: a, order: -1 }'), {
      env: {},
    });
    expect(negative.ok).toBe(false);
    const stray = loadConfigText(base('aliases: { nope: { strategy: cost } }'), { env: {} });
    if (!stray.ok) throw new Error(JSON.stringify(stray.errors));
    expect(stray.loaded.warnings).toContainEqual({
      path: 'litellm.router.aliases.nope',
      message: 'no alias "nope"',
    });
  });

  it('reads capabilities and enable_pre_call_checks (on unless turned off); unknown capability keys are errors', () => {
    const models =
      '    pool:\n      - { provider: p, model: a, context_window: 8000, capabilities: { vision: false, tools: true, json_schema: false, reasoning: false } }';
    const r = loadConfigText(base('enable_pre_call_checks: false', models), { env: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.loaded.config.router.preCallChecks).toBe(false);
    expect(r.loaded.config.models[0].deployments[0].capabilities).toEqual({
      vision: false,
      tools: true,
      jsonSchema: false,
      reasoning: false,
    });
    const on = loadConfigText(base(''), { env: {} });
    if (!on.ok) throw new Error(JSON.stringify(on.errors));
    expect(on.loaded.config.router.preCallChecks).toBe(true);
    const bad = loadConfigText(
      base('', '    pool:\n      - { provider: p, model: a, capabilities: { audio: true } }'),
      { env: {} },
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0].path).toMatch(/^litellm\.models\.pool\[0\]\.capabilities/);
  });
});
