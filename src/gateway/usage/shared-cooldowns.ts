import type { UpstreamFailure } from '../errors.js';
import { Cooldowns } from '../router/cooldown.js';
import type { SharedStore } from './store.js';

/**
 * Cooldowns that several daemons agree on: a cooldown started here is announced through the
 * shared store, and one announced by another daemon is honoured here until it ends. Checks stay
 * in memory (O(1)); only the start of a cooldown costs a message.
 */
export class SharedCooldowns extends Cooldowns {
  private readonly remote = new Map<string, number>();

  constructor(
    private readonly store: SharedStore,
    private readonly clock: () => number = Date.now,
  ) {
    super(clock);
    store.onCooldown((id, ms) => this.remote.set(id, this.clock() + ms));
  }

  private remoteMs(id: string): number {
    const until = this.remote.get(id);
    if (until === undefined) return 0;
    const left = until - this.clock();
    if (left <= 0) this.remote.delete(id);
    return Math.max(0, left);
  }

  override isCooling(id: string): boolean {
    return super.isCooling(id) || this.remoteMs(id) > 0;
  }

  override remainingMs(id: string): number {
    return Math.max(super.remainingMs(id), this.remoteMs(id));
  }

  override failure(id: string, f: UpstreamFailure, allowedFails: number, defaultCooldownS: number): void {
    const before = this.started;
    super.failure(id, f, allowedFails, defaultCooldownS);
    if (this.started > before) this.store.publishCooldown(id, super.remainingMs(id));
  }

  override retain(ids: Set<string>): void {
    super.retain(ids);
    for (const id of this.remote.keys()) if (!ids.has(id)) this.remote.delete(id);
  }

  /** Deployments cooling down now (here or announced by another daemon), for the metrics. */
  coolingCount(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) if (this.isCooling(id)) n++;
    return n;
  }
}
