import { describe, expect, it } from 'vitest';
import { createPricer } from '../../../../src/gateway/usage/pricing.js';
import { unpricedBudgetIssues } from '../../../../src/gateway/usage/unpriced.js';
import { makeConfig } from '../../../helpers/gateway.js';

/** Which budgets cover which deployments, and which of those have no price to count with. */
describe('unpricedBudgetIssues', () => {
  const providers = [
    { name: 'openai', type: 'openai' as const, apiBase: 'http://127.0.0.1:1/v1', apiKey: 'k' },
    { name: 'local', type: 'ollama' as const, apiBase: 'http://127.0.0.1:2/v1' },
  ];
  const models = {
    default: [
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'local', model: 'llama3.2' },
    ],
    free: [{ provider: 'local', model: 'llama3.2', inputCostPerToken: 0, outputCostPerToken: 0 }],
    half: [{ provider: 'local', model: 'qwen', inputCostPerToken: 1e-7 }],
  };
  const pricer = createPricer();

  it('no budget: nothing to report', () => {
    expect(unpricedBudgetIssues(makeConfig(providers, models).config, pricer)).toEqual([]);
  });

  it('a global budget: every unpriced entry, named with the missing keys; catalog and config prices count', () => {
    const c = makeConfig(providers, models, { budgets: { usdPerDay: 5 } }).config;
    expect(unpricedBudgetIssues(c, pricer)).toEqual([
      {
        path: 'litellm.models.default[1]',
        message:
          'local/llama3.2 has no known price, so litellm.budgets cannot be enforced for it; ' +
          'set input_cost_per_token and output_cost_per_token on this entry (USD per token; 0 when it is free)',
      },
      {
        path: 'litellm.models.half[0]',
        message: expect.stringContaining('set output_cost_per_token on this entry'),
      },
    ]);
  });

  it('alias and key budgets cover only their aliases', () => {
    const c = makeConfig(providers, models, {
      budgets: { aliases: { half: { usdPerMonth: 1 } } },
      keys: {
        codex: { name: 'codex', key: 'x', keyState: 'set', models: ['default'], budget: { usdPerDay: 1 } },
      },
    }).config;
    const issues = unpricedBudgetIssues(c, pricer);
    expect(issues.map((i) => i.path)).toEqual(['litellm.models.default[1]', 'litellm.models.half[0]']);
    expect(issues[0].message).toContain('litellm.keys.codex.budget cannot be enforced');
    expect(issues[1].message).toContain('litellm.budgets.aliases.half cannot be enforced');
  });
});
