import type { ConditionalPrice, ModelInfo, ModelPrice, Provider } from '@pydantic/genai-prices';
import type { Deployment } from '../../config/types.js';
import type { Usage } from '../canonical.js';
import { priceCatalog } from './price-catalog.js';

/**
 * USD per request from the pricing data bundled in `@pydantic/genai-prices` (read offline: its
 * auto-update is never enabled; loaded at the first lookup, see price-catalog.ts), with the deployment's own `*_cost_per_token` values winning.
 * Cache-read and cache-write tokens get their own prices. A price that is not known gives `null`,
 * never 0.
 */
export interface Pricer {
  /** USD for this usage on this deployment, or null when its price is unknown. */
  cost(d: Deployment, usage: Usage, at?: Date): number | null;
  /** Where the deployment's prices come from (for /model/info and logs). */
  source(d: Deployment): 'catalog' | 'config' | 'catalog+config' | null;
  /** USD per token now (the base tier), for /model/info; null when nothing is known. */
  perToken(d: Deployment, at?: Date): PerToken | null;
}

export interface PerToken {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
}

interface Resolved {
  provider: Provider;
  source: 'catalog' | 'config' | 'catalog+config';
  hasInput: boolean;
  hasOutput: boolean;
}

/** Provider ids of the catalog that a provider type implies when its name is not one of them. */
const TYPE_IDS: Record<string, string | undefined> = {
  openai: 'openai',
  anthropic: 'anthropic',
  azure: 'azure',
  bedrock: 'aws',
  gemini: 'google',
  vertex_ai: 'google',
};

export function createPricer(): Pricer {
  const memo = new WeakMap<Deployment, Resolved | null>();
  const resolve = (d: Deployment): Resolved | null => {
    let r = memo.get(d);
    if (r === undefined) {
      r = resolveDeployment(d);
      memo.set(d, r);
    }
    return r;
  };
  return {
    cost(d, usage, at) {
      // A subscription plan (auth: client) is paid for up front: its requests add nothing metered.
      if (d.provider.auth === 'client') return 0;
      const r = resolve(d);
      if (!r) return null;
      const cacheRead = usage.cacheReadTokens ?? 0;
      const cacheWrite = usage.cacheWriteTokens ?? 0;
      const input = usage.inputTokens + cacheRead + cacheWrite;
      if ((input > 0 && !r.hasInput) || (usage.outputTokens > 0 && !r.hasOutput)) return null;
      const prices = r.provider.models[0].prices;
      const p = Array.isArray(prices) ? currentPrices(prices, at ?? new Date()) : prices;
      const quick = quickCost(p, input, usage.outputTokens, cacheRead, cacheWrite);
      if (quick !== undefined) return quick;
      // genai-prices wants input_tokens as the total, with the cache tokens as parts of it.
      const result = priceCatalog().calcPrice(
        {
          input_tokens: input,
          output_tokens: usage.outputTokens,
          cache_read_tokens: cacheRead,
          cache_write_tokens: cacheWrite,
        },
        d.model,
        { provider: r.provider, timestamp: at },
      );
      return result ? result.total_price : null;
    },
    source(d) {
      return resolve(d)?.source ?? null;
    },
    perToken(d, at = new Date()) {
      const r = resolve(d);
      if (!r) return null;
      const prices = r.provider.models[0].prices;
      const p = Array.isArray(prices) ? currentPrices(prices, at) : prices;
      const unit = (k: string): number | null => {
        const v = p[k];
        const base = typeof v === 'number' ? v : v?.base;
        return base === undefined ? null : base / 1e6;
      };
      return {
        input: unit('input_mtok'),
        output: unit('output_mtok'),
        cacheRead: unit('cache_read_mtok') ?? unit('input_mtok'),
        cacheWrite: unit('cache_write_mtok') ?? unit('input_mtok'),
      };
    },
  };
}

const PLAIN_KEYS = new Set([
  'input_mtok',
  'output_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  // Prices of usage kinds agentbox never reports (so calcPrice would charge 0 for them too).
  'cache_write_1h_mtok',
  'input_audio_mtok',
  'output_audio_mtok',
  'cache_audio_read_mtok',
  'input_image_mtok',
  'cache_image_read_mtok',
  'output_image_mtok',
  'input_video_mtok',
  'output_video_mtok',
  'output_reasoning_mtok',
  'output_citation_mtok',
  'web_searches_kcount',
  'storage_searches_kcount',
  'social_searches_kcount',
]);

interface Tiered {
  base: number;
  tiers: Array<{ start: number; price: number }>;
}

/**
 * The common case in plain arithmetic (calcPrice re-resolves the model on every call, 17–60 µs):
 * per-million-token prices, possibly tiered by total input tokens. Undefined for anything else
 * (per-request fees, audio, a cache price the model lacks), and then calcPrice decides.
 */
export function quickCost(
  p: ModelPrice,
  input: number,
  output: number,
  cacheRead: number,
  cacheWrite: number,
): number | undefined {
  for (const k of Object.keys(p)) if (!PLAIN_KEYS.has(k)) return undefined;
  const rate = (v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'number') return v;
    const t = v as Tiered;
    let price = t.base;
    for (const x of t.tiers) if (input > x.start) price = x.price;
    return price;
  };
  const prices = p as Record<string, unknown>;
  const inRate = rate(prices.input_mtok);
  const outRate = rate(prices.output_mtok);
  if (inRate === undefined || outRate === undefined) return undefined;
  const cr = cacheRead ? rate(prices.cache_read_mtok) : 0;
  const cw = cacheWrite ? rate(prices.cache_write_mtok) : 0;
  if (cr === undefined || cw === undefined) return undefined;
  return (
    ((input - cacheRead - cacheWrite) * inRate + cacheRead * cr + cacheWrite * cw + output * outRate) / 1e6
  );
}

/** The conditional price in force at `at` (the last whose start date has passed; else the first). */
function currentPrices(list: ConditionalPrice[], at: Date): ModelPrice {
  let chosen = list[0].prices;
  for (const c of list) {
    if (!c.constraint) chosen = c.prices;
    else if (c.constraint.type === 'start_date' && Date.parse(c.constraint.start_date) <= at.getTime())
      chosen = c.prices;
  }
  return chosen;
}

function resolveDeployment(d: Deployment): Resolved | null {
  const catalog = catalogModel(d);
  const over: ModelPrice = {};
  const mtok = (v: number | undefined): number | undefined => (v === undefined ? undefined : v * 1e6);
  if (d.inputCostPerToken !== undefined) over.input_mtok = mtok(d.inputCostPerToken);
  if (d.outputCostPerToken !== undefined) over.output_mtok = mtok(d.outputCostPerToken);
  if (d.cacheReadCostPerToken !== undefined) over.cache_read_mtok = mtok(d.cacheReadCostPerToken);
  if (d.cacheWriteCostPerToken !== undefined) over.cache_write_mtok = mtok(d.cacheWriteCostPerToken);
  const overridden = Object.keys(over).length > 0;
  if (!catalog && !overridden) return null;

  let prices: ModelInfo['prices'];
  if (!catalog) prices = over;
  else if (!overridden) prices = catalog.model.prices;
  else if (Array.isArray(catalog.model.prices)) {
    prices = catalog.model.prices.map((c) => ({ ...c, prices: { ...c.prices, ...over } }));
  } else prices = { ...catalog.model.prices, ...over };

  const model: ModelInfo = {
    id: d.model,
    match: catalog ? catalog.model.match : { equals: d.model },
    prices,
  };
  const base = catalog?.provider;
  const provider: Provider = {
    id: base?.id ?? `agentbox-${d.provider.name}`,
    name: base?.name ?? d.provider.name,
    api_pattern: base?.api_pattern ?? '.*',
    models: [model],
  };
  const all = Array.isArray(prices) ? prices.map((c) => c.prices) : [prices];
  return {
    provider,
    source: !catalog ? 'config' : overridden ? 'catalog+config' : 'catalog',
    hasInput: all.every((p) => p.input_mtok !== undefined),
    hasOutput: all.every((p) => p.output_mtok !== undefined),
  };
}

/** The catalog's entry for this deployment: by provider name, then provider type, then API base. */
function catalogModel(d: Deployment): { provider: Provider; model: ModelInfo } | null {
  const { calcPrice, findProvider } = priceCatalog();
  const ids: string[] = [];
  if (findProvider({ providerId: d.provider.name })) ids.push(d.provider.name);
  const byType = TYPE_IDS[d.provider.type];
  if (byType) ids.push(byType);
  const byUrl = findProvider({ providerApiUrl: d.provider.apiBase });
  if (byUrl) ids.push(byUrl.id);
  for (const providerId of ids) {
    const r = calcPrice({ input_tokens: 0, output_tokens: 0 }, d.model, { providerId });
    if (r) return { provider: r.provider, model: r.model };
  }
  return null;
}

/** USD → integer nano-dollars, the unit of every shared money counter (exact sums, Redis INCRBY). */
export function toNano(usd: number): number {
  return Math.round(usd * 1e9);
}

export function fromNano(nano: number): number {
  return nano / 1e9;
}

/** A USD amount for headers and tables: plain decimal, no exponent, trailing zeros dropped. */
export function formatUsd(usd: number, digits = 10): string {
  const s = usd.toFixed(digits);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const windows = new WeakMap<Deployment, number | null>();

/** The context window the bundled catalog gives the deployment's model, or undefined when it has none. */
export function catalogContextWindow(d: Deployment): number | undefined {
  let w = windows.get(d);
  if (w === undefined) {
    w = catalogModel(d)?.model.context_window ?? null;
    windows.set(d, w);
  }
  return w ?? undefined;
}
