import type { UpstreamFailure } from '../errors.js';

/**
 * Deployment health: after `allowedFails` consecutive failures a deployment cools down for the
 * upstream's Retry-After, else the default. A 429 that names a Retry-After cools it at once.
 * Keyed by deployment id, so the state survives a config reload for deployments that still exist.
 */
export interface CooldownState {
  fails: number;
  until: number;
  /** The upstream refused the deployment's key: cooling for AUTH_COOLDOWN_FACTOR × the default. */
  authFailed?: boolean;
  /** The failure that started the cooldown, for the log line of requests that skip the deployment. */
  why?: string;
}

/** Most deployments whose health is remembered at once. */
export const MAX_TRACKED = 10_000;
/** A refused key does not fix itself: such a deployment cools this many times longer (a reload clears it). */
export const AUTH_COOLDOWN_FACTOR = 10;

export class Cooldowns {
  private readonly state = new Map<string, CooldownState>();
  private cooldownsStarted = 0;

  constructor(private readonly now: () => number = Date.now) {}

  isCooling(id: string): boolean {
    const s = this.state.get(id);
    return s !== undefined && s.until > this.now();
  }

  /** Milliseconds until the deployment recovers (0 when it is not cooling). */
  remainingMs(id: string): number {
    const s = this.state.get(id);
    return s ? Math.max(0, s.until - this.now()) : 0;
  }

  /** Why the deployment is cooling down, when it is. */
  reason(id: string): string | undefined {
    return this.isCooling(id) ? this.state.get(id)?.why : undefined;
  }

  success(id: string): void {
    if (this.state.has(id)) this.state.delete(id);
  }

  failure(id: string, f: UpstreamFailure, allowedFails: number, defaultCooldownS: number): void {
    if (
      f.kind === 'client' ||
      f.kind === 'context_window' ||
      f.kind === 'content_policy' ||
      f.kind === 'unusable'
    )
      return;
    const s = this.state.get(id) ?? { fails: 0, until: 0 };
    if (f.kind === 'auth') {
      this.state.set(id, {
        fails: 0,
        until: this.now() + defaultCooldownS * AUTH_COOLDOWN_FACTOR * 1000,
        authFailed: true,
      });
      this.cooldownsStarted++;
      return;
    }
    s.authFailed = undefined;
    s.fails++;
    const immediate = f.kind === 'rate_limit' && (f.retryAfterS !== undefined || f.coolNow === true);
    if (immediate || s.fails >= allowedFails) {
      const seconds = f.retryAfterS ?? defaultCooldownS;
      s.until = this.now() + seconds * 1000;
      s.fails = 0;
      s.why = f.message;
      this.cooldownsStarted++;
    }
    // Direct `provider/model` names are the client's choice: keep the map bounded, oldest out first.
    if (!this.state.has(id) && this.state.size >= MAX_TRACKED) {
      const oldest = this.state.keys().next().value;
      if (oldest !== undefined) this.state.delete(oldest);
    }
    this.state.set(id, s);
  }

  /** Deployments with a failure count or a cooldown (bounded by MAX_TRACKED). */
  get size(): number {
    return this.state.size;
  }

  /** Forget deployments that no longer exist (after a reload). */
  /** True while the deployment cools down because the upstream refused its key. */
  isAuthFailed(id: string): boolean {
    const s = this.state.get(id);
    return s?.authFailed === true && s.until > this.now();
  }

  /**
   * Forget deployments that no longer exist (after a reload), and every refused-key cooldown: a
   * reload is how a user puts a new key in, so those deployments are tried again.
   */
  retain(ids: Set<string>): void {
    for (const [id, s] of this.state) if (!ids.has(id) || s.authFailed) this.state.delete(id);
  }

  get started(): number {
    return this.cooldownsStarted;
  }
}
