import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { formatIssue } from '../../../src/config/format-issues.js';

/** `litellm.model_labels`: a label per alias for model pickers; a label for no alias is an error. */
const base = `litellm:
  providers:
    p: { type: openai_compatible, api_base: http://127.0.0.1:1/v1 }
  models:
    code: [{ provider: p, model: m }]
    "claude-*": [{ provider: p, model: m }]
`;

describe('model_labels', () => {
  it('sets the label of the aliases it names', () => {
    const r = loadConfigText(`${base}  model_labels: { code: "Code (M)", "claude-*": Claude }\n`, {
      env: {},
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.loaded.config.models.map((a) => [a.name, a.label])).toEqual([
      ['code', 'Code (M)'],
      ['claude-*', 'Claude'],
    ]);
  });

  it('a label for an alias that does not exist, or an empty one, is an error naming it', () => {
    const r = loadConfigText(`${base}  model_labels: { cod: X, code: "" }\n`, { env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.errors.map(formatIssue);
    expect(lines).toContainEqual(expect.stringMatching(/^litellm\.model_labels\.cod: no alias named "cod"/));
    expect(lines).toContainEqual(expect.stringMatching(/^litellm\.model_labels\.code: /));
  });
});
