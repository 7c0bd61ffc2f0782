import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type * as GenaiPrices from '@pydantic/genai-prices';

type Catalog = Pick<typeof GenaiPrices, 'calcPrice' | 'findProvider'>;

let catalog: Catalog | undefined;
let loadMs: number | undefined;

/**
 * The build's copy of the package (scripts/bundle-daemon.mjs): its own CommonJS code with the same
 * data as JSON text, which loads in less memory and time than the package's object literal (about
 * 15 against 20 MB of RSS, 26 against 40 ms). The bundled daemon (dist/daemon/) has it beside its
 * chunks, the unbundled build (dist/gateway/usage/) two levels up; running from the sources, the
 * package itself is loaded.
 */
function catalogModule(): string {
  for (const rel of ['./price-catalog.cjs', '../../daemon/price-catalog.cjs']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  return '@pydantic/genai-prices';
}

/**
 * The price catalogue of `@pydantic/genai-prices`, read the first time a deployment's price or
 * context window is looked up rather than at start: a gateway that is never asked about a price
 * never holds it. Loaded synchronously through its CommonJS build, because prices are asked for in
 * the middle of settling a request. A broken install is an error naming the package, never a silent
 * "price unknown".
 */
export function priceCatalog(): Catalog {
  if (catalog) return catalog;
  const t0 = performance.now();
  const from = catalogModule();
  try {
    catalog = createRequire(import.meta.url)(from) as Catalog;
  } catch (e) {
    throw new Error(
      `cannot load the price catalogue (${from}): ${(e as Error).message}; reinstall agentbox (npm ci)`,
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
