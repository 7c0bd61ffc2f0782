import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';

const yaml = (extra: string, entry = '') =>
  `litellm:\n${extra}  providers:\n    openai: { api_key: sk-x }\n  models:\n    a: [{ provider: openai, model: o4-mini${entry} }]\n`;

describe('drop_params, force and drop in the config', () => {
  it('drop_params defaults to false and is read gateway-wide and per chain entry', () => {
    const plain = loadConfigText(yaml(''));
    expect(plain.ok && plain.loaded.config.dropParams).toBe(false);
    const on = loadConfigText(yaml('  drop_params: true\n', ', drop_params: false'));
    if (!on.ok) throw new Error(on.errors.map((e) => e.message).join('\n'));
    expect(on.loaded.config.dropParams).toBe(true);
    expect(on.loaded.config.models[0].deployments[0].dropParams).toBe(false);
  });

  it('force and drop are carried onto the deployment', () => {
    const r = loadConfigText(yaml('', ', force: { temperature: 1 }, drop: [user, seed]'));
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    const d = r.loaded.config.models[0].deployments[0];
    expect(d.force).toEqual({ temperature: 1 });
    expect(d.drop).toEqual(['user', 'seed']);
  });

  it('refuses drop_params that is not a boolean, and force/drop of what the gateway sets', () => {
    const bad = loadConfigText(yaml('  drop_params: sometimes\n'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.path)).toContain('litellm.drop_params');
    const force = loadConfigText(yaml('', ', force: { model: x }'));
    expect(!force.ok && force.errors.map((e) => e.message).join()).toMatch(/force may not set model/);
    const drop = loadConfigText(yaml('', ', drop: [messages]'));
    expect(!drop.ok && drop.errors.map((e) => e.message).join()).toMatch(
      /drop may not remove model, messages/,
    );
  });
});
