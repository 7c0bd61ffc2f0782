import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type * as GenaiPrices from '@pydantic/genai-prices';

type Catalog = Pick<typeof GenaiPrices, 'calcPrice' | 'findProvider'>;

let catalog: Catalog | undefined;
let loadMs: number | undefined;

/**
 * The price catalogue bundled in `@pydantic/genai-prices` (about 7 MB of heap, 20 MB of RSS and
 * 50 ms to load), read the first time a deployment's price or context window is looked up rather
 * than at start: a gateway that is never asked about a price never holds it. Loaded synchronously
 * through its CommonJS build, because prices are asked for in the middle of settling a request. A
 * broken install is an error naming the package, never a silent "price unknown".
 */
export function priceCatalog(): Catalog {
  if (catalog) return catalog;
  const t0 = performance.now();
  try {
    catalog = createRequire(import.meta.url)('@pydantic/genai-prices') as Catalog;
  } catch (e) {
    throw new Error(
      `cannot load the price catalogue (@pydantic/genai-prices): ${(e as Error).message}; reinstall agentbox (npm ci)`,
      { cause: e },
    );
  }
  loadMs = performance.now() - t0;
  return catalog;
}

/** Milliseconds the catalogue took to load, or undefined while it is not loaded (for `/health`-style reports and tests). */
export function priceCatalogLoadMs(): number | undefined {
  return loadMs;
}
