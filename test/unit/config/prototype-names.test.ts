import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/format-issues.js';
import { loadConfigText } from '../../../src/config/load.js';

describe('names that are Object.prototype members', () => {
  it('a provider named __proto__ is a config error, not the prototype of the providers map', () => {
    const r = loadConfigText(
      'litellm:\n  providers:\n    __proto__: { type: openai, api_key: k }\n  models:\n    default: [{ provider: __proto__, model: m }]\n',
      { env: {} },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatIssue).join('\n')).toMatch(/litellm\.providers\.__proto__: .*reserved/);
  });

  it('an alias or key named __proto__ is a config error too', () => {
    const r = loadConfigText(
      'litellm:\n  providers:\n    openai: { api_key: k }\n  models:\n    __proto__: [{ provider: openai, model: m }]\n  keys:\n    __proto__: { key: abcdefgh }\n',
      { env: {} },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.errors.map(formatIssue).join('\n');
    expect(lines).toMatch(/litellm\.models\.__proto__: .*reserved/);
    expect(lines).toMatch(/litellm\.keys\.__proto__: .*reserved/);
  });

  it('a provider named constructor works, found by its own name only', () => {
    const r = loadConfigText(
      'litellm:\n  providers:\n    constructor: { type: openai, api_key: k }\n  models:\n    default: [{ provider: constructor, model: m }]\n',
      { env: {} },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.loaded.config.models[0].deployments[0].provider.name).toBe('constructor');
  });

  it('an unknown provider named toString is reported, not found on the prototype', () => {
    const r = loadConfigText(
      'litellm:\n  providers:\n    openai: { api_key: k }\n  models:\n    default: [{ provider: toString, model: m }]\n',
      { env: {} },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatIssue).join('\n')).toMatch(/unknown provider "toString"/);
  });

  it('${constructor} in a value is a missing variable, not Object', () => {
    const r = loadConfigText(
      'litellm:\n  providers:\n    openai: { api_key: "${constructor}" }\n  models:\n    default: [{ provider: openai, model: m }]\n',
      { env: { ...process.env } },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.loaded.config.providers.openai.keyState).toBe('missing');
  });
});
