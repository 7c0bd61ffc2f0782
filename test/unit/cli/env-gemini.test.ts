import { describe, expect, it } from 'vitest';
import { geminiLines, geminiText } from '../../../src/cli/commands/env-gemini.js';
import { keyReference } from '../../../src/cli/commands/env.js';
import { loadConfigText } from '../../../src/config/load.js';
import { parseYaml } from '../../../src/config/yaml-text.js';

const BASE = `
litellm:
  port: 4123
  master_key: \${AGENTBOX_MASTER_KEY}
  providers:
    gemini: { api_key: k }
    openai: { api_key: k }
`;

function load(yaml: string) {
  const r = loadConfigText(yaml, { env: { AGENTBOX_MASTER_KEY: 'secret-master' } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const raw = parseYaml(yaml);
  return { config: r.loaded.config, raw: raw.ok ? raw.value : undefined };
}

describe('geminiLines', () => {
  it('base URL, the key as a reference (never its value), API-key auth, and the model', () => {
    const { config, raw } = load(`${BASE}  models:
    default: [{ provider: openai, model: gpt-4o }]
    code: [{ provider: gemini, model: gemini-2.5-pro }]
`);
    const ref = keyReference(raw, config, 'gemini', { AGENTBOX_MASTER_KEY: 'secret-master' });
    const t = { url: 'http://127.0.0.1:4123', key: ref.key, config };
    const { settings, shell: lines } = geminiLines(t);
    expect(JSON.parse(settings)).toEqual({ security: { auth: { selectedType: 'gemini-api-key' } } });
    expect(geminiText(t).split('\n')[1]).toBe(settings);
    expect(lines).toEqual([
      'export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4123',
      'export GEMINI_API_KEY="$AGENTBOX_MASTER_KEY"',
      'export GEMINI_DEFAULT_AUTH_TYPE=gemini-api-key',
      'unset GOOGLE_API_KEY GOOGLE_GENAI_USE_VERTEXAI GOOGLE_GENAI_USE_GCA',
      'export GEMINI_MODEL=code',
    ]);
    expect(lines.join('\n')).not.toContain('secret-master');
  });

  it('a gemini-* glob serves Gemini CLI’s own model name: no model line; --model wins', () => {
    const { config } = load(`${BASE}  models:
    "gemini-*": [{ provider: gemini, model: gemini-2.5-flash }]
`);
    const t = { url: 'http://127.0.0.1:4123', key: 'agentbox', config };
    expect(geminiLines(t).shell.some((l) => l.includes('GEMINI_MODEL'))).toBe(false);
    expect(geminiLines({ ...t, model: 'fast' }).shell).toContain('export GEMINI_MODEL=fast');
  });
});
