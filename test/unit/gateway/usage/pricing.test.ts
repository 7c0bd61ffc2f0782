import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import type { Deployment, ProviderConfig, ProviderType } from '../../../../src/config/types.js';
import { createPricer, formatUsd, toNano } from '../../../../src/gateway/usage/pricing.js';

function dep(type: ProviderType, name: string, model: string, over: Partial<Deployment> = {}): Deployment {
  const provider: ProviderConfig = {
    name,
    type,
    apiBase: 'http://127.0.0.1:9/v1',
    keyState: 'set',
    apiKey: 'k',
  };
  return { id: `${name}/${model}`, alias: 'a', index: 0, provider, model, ...over };
}

const close = (a: number | null, b: number): void => {
  expect(a).not.toBeNull();
  expect(a!).toBeCloseTo(b, 12);
};

describe('pricing from the bundled genai-prices data', () => {
  const pricer = createPricer();

  it('prices an OpenAI model without and with cached input, as the pricing data says', () => {
    const d = dep('openai', 'openai', 'gpt-4o');
    close(pricer.cost(d, { inputTokens: 1000, outputTokens: 100 }), 1000 * 2.5e-6 + 100 * 10e-6);
    // canonical inputTokens excludes the 500 cached ones, which cost half.
    close(
      pricer.cost(d, { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 500 }),
      1000 * 2.5e-6 + 500 * 1.25e-6 + 100 * 10e-6,
    );
    const ref = calcPrice({ input_tokens: 1500, cache_read_tokens: 500, output_tokens: 100 }, 'gpt-4o', {
      providerId: 'openai',
    });
    close(pricer.cost(d, { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 500 }), ref!.total_price);
  });

  it('prices an Anthropic model with cache reads and cache writes at their own prices', () => {
    const d = dep('anthropic', 'anthropic', 'claude-sonnet-4-5');
    const usage = { inputTokens: 100, outputTokens: 50, cacheReadTokens: 2000, cacheWriteTokens: 3000 };
    close(pricer.cost(d, usage), 100 * 3e-6 + 2000 * 0.3e-6 + 3000 * 3.75e-6 + 50 * 15e-6);
    const ref = calcPrice(
      { input_tokens: 5100, cache_read_tokens: 2000, cache_write_tokens: 3000, output_tokens: 50 },
      'claude-sonnet-4-5',
      { providerId: 'anthropic' },
    );
    close(pricer.cost(d, usage), ref!.total_price);
    // Not the LiteLLM mistake: cache writes are neither free nor double-charged as input.
    expect(pricer.cost(d, usage)).not.toBeCloseTo(5100 * 3e-6 + 50 * 15e-6, 6);
  });

  it('finds the catalog by provider name for openai-compatible providers (groq) and prices by its data', () => {
    const d = dep('openai_compatible', 'groq', 'llama-3.3-70b-versatile');
    const ref = calcPrice({ input_tokens: 1000, output_tokens: 1000 }, 'llama-3.3-70b-versatile', {
      providerId: 'groq',
    });
    expect(ref).not.toBeNull();
    close(pricer.cost(d, { inputTokens: 1000, outputTokens: 1000 }), ref!.total_price);
  });

  it('lets per-deployment prices win, keeping catalog cache prices that are not overridden', () => {
    const d = dep('openai', 'openai', 'gpt-4o', { inputCostPerToken: 1e-6, outputCostPerToken: 2e-6 });
    close(pricer.cost(d, { inputTokens: 1000, outputTokens: 100 }), 1000 * 1e-6 + 100 * 2e-6);
    close(pricer.cost(d, { inputTokens: 0, outputTokens: 0, cacheReadTokens: 1000 }), 1000 * 1.25e-6);
    const withCache = dep('anthropic', 'anthropic', 'claude-sonnet-4-5', {
      cacheReadCostPerToken: 1e-7,
      cacheWriteCostPerToken: 1e-5,
    });
    close(
      pricer.cost(withCache, {
        inputTokens: 10,
        outputTokens: 0,
        cacheReadTokens: 100,
        cacheWriteTokens: 100,
      }),
      10 * 3e-6 + 100 * 1e-7 + 100 * 1e-5,
    );
    expect(pricer.source(d)).toBe('catalog+config');
  });

  it('prices a model the catalog does not know from the config alone; cache tokens default to the input price', () => {
    const d = dep('openai_compatible', 'gwdg_saia', 'llama-3.3-70b', {
      inputCostPerToken: 2e-7,
      outputCostPerToken: 4e-7,
    });
    close(
      pricer.cost(d, { inputTokens: 100, outputTokens: 10, cacheReadTokens: 50 }),
      150 * 2e-7 + 10 * 4e-7,
    );
    expect(pricer.source(d)).toBe('config');
  });

  it('reports an unknown price as null, never 0', () => {
    expect(
      pricer.cost(dep('openai_compatible', 'gwdg_saia', 'llama-3.3-70b'), {
        inputTokens: 10,
        outputTokens: 10,
      }),
    ).toBeNull();
    expect(
      pricer.cost(dep('openai', 'openai', 'no-such-model-xyz'), { inputTokens: 10, outputTokens: 10 }),
    ).toBeNull();
    expect(pricer.cost(dep('ollama', 'ollama', 'llama3'), { inputTokens: 10, outputTokens: 10 })).toBeNull();
    // Only an input price: output tokens cannot be priced.
    const half = dep('openai_compatible', 'x', 'm', { inputCostPerToken: 1e-6 });
    expect(pricer.cost(half, { inputTokens: 10, outputTokens: 10 })).toBeNull();
    expect(pricer.cost(half, { inputTokens: 10, outputTokens: 0 })).toBeCloseTo(1e-5, 12);
  });

  it('formats USD without exponents and counts money in integer nano-dollars', () => {
    expect(formatUsd(0.0000024)).toBe('0.0000024');
    expect(formatUsd(1.5)).toBe('1.5');
    expect(formatUsd(0)).toBe('0');
    expect(formatUsd(12.3456789, 4)).toBe('12.3457');
    expect(toNano(0.0018)).toBe(1_800_000);
  });
});

describe('arithmetic pricing agrees with calcPrice', () => {
  const pricer = createPricer();
  const models: Array<[ProviderType, string, string]> = [
    ['anthropic', 'anthropic', 'claude-sonnet-4-5'],
    ['anthropic', 'anthropic', 'claude-opus-4-1'],
    ['anthropic', 'anthropic', 'claude-haiku-4-5'],
    ['openai', 'openai', 'gpt-4o-mini'],
    ['openai', 'openai', 'gpt-4.1'],
    ['openai', 'openai', 'gpt-4o'],
  ];
  const usages = [
    { inputTokens: 1000, outputTokens: 100 },
    { inputTokens: 10, outputTokens: 5000, cacheReadTokens: 40_000 },
    { inputTokens: 120_000, outputTokens: 900, cacheReadTokens: 79_999, cacheWriteTokens: 0 },
    { inputTokens: 120_000, outputTokens: 900, cacheReadTokens: 80_001, cacheWriteTokens: 1 },
    { inputTokens: 250_000, outputTokens: 1, cacheWriteTokens: 5000 },
    { inputTokens: 0, outputTokens: 0 },
  ];
  for (const [type, name, model] of models) {
    it(`${model}: every usage, tier edges included`, () => {
      const d = dep(type, name, model);
      for (const u of usages) {
        const cr = u.cacheReadTokens ?? 0;
        const cw = u.cacheWriteTokens ?? 0;
        const ref = calcPrice(
          {
            input_tokens: u.inputTokens + cr + cw,
            output_tokens: u.outputTokens,
            cache_read_tokens: cr,
            cache_write_tokens: cw,
          },
          model,
          { providerId: name },
        );
        const got = pricer.cost(d, u);
        if (ref === null) expect(got).toBeNull();
        else close(got, ref.total_price);
      }
    });
  }
});
