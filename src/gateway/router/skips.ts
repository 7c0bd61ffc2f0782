import type { Deployment } from '../../config/types.js';
import type { AttemptRecord } from './dispatch.js';

/**
 * Deployments skipped before they are tried (they cannot serve the request), kept in chain order
 * so each skip is reported when the walk passes it: a skipped deployment behind the one that
 * served never shows up, and every skip shows up when nothing could serve.
 */
export class Skips {
  readonly able: Deployment[];
  private readonly why = new Map<Deployment, string>();
  private noted = 0;

  constructor(
    private readonly ordered: Deployment[],
    cannotServe?: (d: Deployment) => string | undefined,
  ) {
    if (cannotServe)
      for (const d of ordered) {
        const w = cannotServe(d);
        if (w) this.why.set(d, w);
      }
    this.able = this.why.size ? ordered.filter((d) => !this.why.has(d)) : ordered;
  }

  get all(): Array<{ deployment: string; reason: string }> {
    return [...this.why].map(([d, reason]) => ({ deployment: d.id, reason }));
  }

  /** Record the skips before `d` in the order (all that are left when `d` is undefined). */
  noteBefore(d: Deployment | undefined, attempts: AttemptRecord[]): void {
    if (this.why.size === 0) return;
    const limit = d ? this.ordered.indexOf(d) : this.ordered.length;
    for (; this.noted < limit; this.noted++) {
      const s = this.ordered[this.noted];
      const reason = this.why.get(s);
      if (reason)
        attempts.push({ deployment: s.id, status: null, error: `skipped: ${reason}`, skipped: true });
    }
  }
}
