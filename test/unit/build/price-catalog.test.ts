import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The build's copy of @pydantic/genai-prices (scripts/bundle-daemon.mjs writes
// dist/daemon/price-catalog.cjs): the package's code with its data as JSON text. It must answer
// every lookup exactly as the package does, and it is what the built daemon loads.

const FILE = new URL('../../../dist/daemon/price-catalog.cjs', import.meta.url).pathname;
const require = createRequire(import.meta.url);
type Lib = typeof import('@pydantic/genai-prices');
const lib = require('@pydantic/genai-prices') as Lib;
const slim = require(FILE) as Lib;

/** The providers and models the copy holds, read back from its JSON text. */
function dataOf(file: string): Array<{ id: string; api_pattern: string; models: Array<{ id: string }> }> {
  const text = readFileSync(file, 'latin1');
  const m = /JSON\.parse\('((?:[^'\\]|\\.)*)'\)/.exec(text);
  if (!m) throw new Error(`${file} holds no JSON.parse('...') of the data`);
  return JSON.parse(m[1]!.replace(/\\(.)/g, '$1')) as ReturnType<typeof dataOf>;
}

describe('the price catalogue the build writes', () => {
  const data = dataOf(FILE);

  it('holds the data as JSON text, not an object literal', () => {
    expect(data.length).toBeGreaterThan(20);
    expect(data.map((p) => p.id)).toEqual(expect.arrayContaining(['openai', 'anthropic', 'google', 'aws']));
    expect(readFileSync(FILE, 'latin1')).not.toMatch(/const E=\[\{id:/);
  });

  it('finds every provider and prices every model as the package does', () => {
    const usage = {
      input_tokens: 120_000,
      output_tokens: 3_000,
      cache_read_tokens: 40_000,
      cache_write_tokens: 5_000,
    };
    let priced = 0;
    for (const p of data) {
      expect(slim.findProvider({ providerId: p.id })).toEqual(lib.findProvider({ providerId: p.id }));
      for (const m of p.models) {
        const want = lib.calcPrice(usage, m.id, { providerId: p.id });
        expect(slim.calcPrice(usage, m.id, { providerId: p.id }), `${p.id}/${m.id}`).toEqual(want);
        if (want) priced++;
      }
    }
    expect(priced).toBeGreaterThan(500);
    expect(slim.findProvider({ providerApiUrl: 'https://api.anthropic.com/v1' })?.id).toBe('anthropic');
  });

  it('is what the built daemon loads', async () => {
    const built = new URL('../../../dist/gateway/usage/price-catalog.js', import.meta.url).href;
    const { priceCatalog } = (await import(built)) as { priceCatalog: () => Lib };
    expect(priceCatalog().calcPrice).toBe(slim.calcPrice);
  });
});
