import type { Budget, LitellmConfig, VirtualKey } from '../../config/types.js';
import { GatewayError } from '../errors.js';
import type { DayRows } from './ledger-format.js';
import { formatUsd, fromNano, toNano } from './pricing.js';
import { periodEnd, periodLabel, type Period } from './periods.js';
import type { CounterSpec, SharedStore } from './store.js';
import { own } from '../../shared/own.js';

export type ScopeKind = 'global' | 'alias' | 'key';

export interface Reservation {
  counters: Array<Omit<CounterSpec, 'limit' | 'amount' | 'seed'>>;
  estimateNano: number;
}

export interface BudgetView {
  scope: ScopeKind;
  name: string | null;
  period: Period;
  limit_usd: number;
  spent_usd: number;
  left_usd: number;
  resets_at: string;
}

const DAY_MS = 86_400_000;
const PERIODS: Period[] = ['day', 'month'];

/**
 * `usd_per_day` / `usd_per_month`, global, per alias and per key. A request is admitted while every
 * budget that applies is below its limit, and reserves its estimated cost on all of them at once
 * (atomically, in the shared store), so concurrent requests cannot overspend by more than one
 * request's worth; the reservation is replaced by the actual cost when the request ends.
 * `spent` (this daemon's view: the ledger at start plus what it served since) seeds the shared
 * counters when they do not exist yet.
 */
export class Budgets {
  private readonly spent = new Map<string, number>();

  constructor(
    private readonly store: SharedStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seed from the ledger's days (at least the current month). */
  seed(days: Map<string, DayRows>): void {
    for (const [day, rows] of days) {
      const ts = Date.parse(`${day}T12:00:00Z`);
      for (const r of rows.values()) if (r.usd > 0) this.count(r.key, r.alias, toNano(r.usd), ts);
    }
  }

  /** A request's actual cost, counted against every scope (whether or not a budget is set today). */
  record(key: string | null, alias: string | null, usd: number | null, ts = this.now()): void {
    if (usd !== null && usd > 0) this.count(key, alias, toNano(usd), ts);
  }

  private count(key: string | null, alias: string | null, nano: number, ts: number): void {
    for (const p of PERIODS) {
      const label = periodLabel(p, ts);
      this.bump(`budget:global::${p}:${label}`, nano);
      if (alias !== null) this.bump(`budget:alias:${alias}:${p}:${label}`, nano);
      if (key !== null) this.bump(`budget:key:${key}:${p}:${label}`, nano);
    }
    this.prune(ts);
  }

  private day = '';

  /** Forget past periods once a day, so the map stays as small as the config. */
  private prune(ts: number): void {
    const day = periodLabel('day', ts);
    if (day <= this.day) return;
    const first = this.day === '';
    this.day = day;
    if (first) return;
    const month = periodLabel('month', ts);
    for (const k of this.spent.keys())
      if (!k.endsWith(`:day:${day}`) && !k.endsWith(`:month:${month}`)) this.spent.delete(k);
  }

  private bump(k: string, nano: number): void {
    this.spent.set(k, (this.spent.get(k) ?? 0) + nano);
  }

  /** USD this daemon has seen spent in the current period, all keys and aliases. */
  spentUsd(period: Period): number {
    return fromNano(this.spent.get(counterKey('global', null, period, this.now())) ?? 0);
  }

  /** USD spent this period by one key (`master` included), shared counters first. */
  async keySpentUsd(name: string, period: Period): Promise<number> {
    const key = counterKey('key', name, period, this.now());
    return fromNano((await this.store.get(key)) ?? this.spent.get(key) ?? 0);
  }

  /** Throws 402 `budget_exceeded` when a budget that applies is spent; else reserves the estimate. */
  async reserve(
    config: LitellmConfig,
    who: { key?: VirtualKey; alias: string },
    estimateUsd: () => number | null,
  ): Promise<Reservation | null> {
    const t = this.now();
    const scopes = applicable(config, who);
    if (scopes.length === 0) return null;
    // An unknown price reserves nothing, but a budget already used up still refuses.
    const usd = estimateUsd();
    const estimateNano = usd === null ? 0 : toNano(usd);
    const specs: CounterSpec[] = [];
    const labels: Array<{ s: (typeof scopes)[number]; p: Period; limit: number }> = [];
    for (const s of scopes) {
      for (const p of PERIODS) {
        const limit = p === 'day' ? s.budget.usdPerDay : s.budget.usdPerMonth;
        if (limit === undefined) continue;
        const key = counterKey(s.kind, s.name, p, t);
        specs.push({
          key,
          amount: estimateNano,
          limit: toNano(limit),
          seed: this.spent.get(key) ?? 0,
          ttlMs: periodEnd(p, t) - t + DAY_MS,
        });
        labels.push({ s, p, limit });
      }
    }
    if (specs.length === 0) return null;
    const r = await this.store.reserve(specs);
    if (!r.ok) {
      const { s, p, limit } = labels[r.blocked ?? 0];
      const of = s.kind === 'global' ? '' : s.kind === 'alias' ? ` of "${s.name}"` : ' of this key';
      const spent =
        r.value !== undefined ? ` (${this.spentAndReserved(specs[r.blocked ?? 0].key, r.value)})` : '';
      throw new GatewayError(
        'budget_exceeded',
        `budget exceeded: the ${p === 'day' ? 'daily' : 'monthly'} budget${of} of $${formatUsd(limit, 4)} is used up${spent}; it resets at ${new Date(periodEnd(p, t)).toISOString()}`,
      );
    }
    return { counters: specs.map(({ key, ttlMs }) => ({ key, ttlMs })), estimateNano };
  }

  /** `$S spent, $R reserved by requests in flight`: a counter's value split into what was served and what is held. */
  private spentAndReserved(key: string, value: number): string {
    const spent = Math.min(value, this.spent.get(key) ?? 0);
    const reserved = value - spent;
    const text = `$${formatUsd(fromNano(spent), 6)} spent`;
    return reserved > 0
      ? `${text}, $${formatUsd(fromNano(reserved), 6)} reserved by requests in flight`
      : text;
  }

  /** Replace the reservation by the actual cost (unknown: 0). */
  settle(r: Reservation, actualUsd: number | null): void {
    const actual = actualUsd === null ? 0 : toNano(actualUsd);
    const delta = actual - r.estimateNano;
    if (delta === 0) return;
    for (const c of r.counters) {
      // A counter that vanished (Redis flushed) restarts from this daemon's view.
      const seed = (this.spent.get(c.key) ?? 0) - actual + r.estimateNano;
      this.store.add({ key: c.key, amount: delta, seed, ttlMs: c.ttlMs });
    }
  }

  /** Every configured budget with what is left of it, for /health and `status`. */
  async views(config: LitellmConfig): Promise<BudgetView[]> {
    const t = this.now();
    const out: BudgetView[] = [];
    const scopes = [...applicable(config, { alias: '' })];
    for (const [alias, b] of Object.entries(config.budgets?.aliases ?? {}))
      scopes.push({ kind: 'alias', name: alias, budget: b });
    for (const k of Object.values(config.keys ?? {}))
      if (k.budget) scopes.push({ kind: 'key', name: k.name, budget: k.budget });
    for (const s of scopes) {
      for (const p of PERIODS) {
        const limit = p === 'day' ? s.budget.usdPerDay : s.budget.usdPerMonth;
        if (limit === undefined) continue;
        const key = counterKey(s.kind, s.name, p, t);
        const nano = (await this.store.get(key)) ?? this.spent.get(key) ?? 0;
        const spent = fromNano(nano);
        out.push({
          scope: s.kind,
          name: s.name,
          period: p,
          limit_usd: limit,
          spent_usd: spent,
          left_usd: Math.max(0, limit - spent),
          resets_at: new Date(periodEnd(p, t)).toISOString(),
        });
      }
    }
    return out;
  }
}

function applicable(
  config: LitellmConfig,
  who: { key?: VirtualKey; alias: string },
): Array<{ kind: ScopeKind; name: string | null; budget: Budget }> {
  const out: Array<{ kind: ScopeKind; name: string | null; budget: Budget }> = [];
  const g = config.budgets;
  if (g && (g.usdPerDay !== undefined || g.usdPerMonth !== undefined))
    out.push({ kind: 'global', name: null, budget: g });
  const a = own(g?.aliases, who.alias);
  if (a) out.push({ kind: 'alias', name: who.alias, budget: a });
  if (who.key?.budget) out.push({ kind: 'key', name: who.key.name, budget: who.key.budget });
  return out;
}

export function counterKey(kind: ScopeKind, name: string | null, period: Period, ts: number): string {
  return `budget:${kind}:${name ?? ''}:${period}:${periodLabel(period, ts)}`;
}
