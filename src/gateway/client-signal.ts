/**
 * What the request path needs of an abort signal: whether the client went away, and listeners for
 * the moment it does. Node's AbortSignal has this shape too (tests and tools pass one).
 */
export interface ClientSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The signal of one client request, aborted when the client goes away before its answer ended.
 * undici takes it for the upstream call (it needs only `aborted`, `reason` and the two listener
 * methods).
 *
 * Not an AbortController: Node 20 makes each AbortSignal by giving an EventTarget another
 * prototype and then adding fields, so every signal gets a hidden class of its own, allocated in
 * the old generation. With one signal per request, each request's signal and everything its
 * listeners reach (the upstream call, the request's closures) outlived the young-generation
 * collections and was promoted, to wait for a full collection. Instances of this class share one
 * hidden class and die young.
 */
export class ClientGone implements ClientSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | undefined = undefined;

  get signal(): ClientSignal {
    return this;
  }

  addEventListener(type: 'abort', listener: () => void): void {
    // Like an AbortSignal: listeners added after the abort are never called.
    if (type !== 'abort' || this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    const l = this.listeners;
    if (type !== 'abort' || !l) return;
    const at = l.indexOf(listener);
    if (at >= 0) l.splice(at, 1);
  }

  /** Once: marks the signal aborted and calls each listener once, in the order they were added. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    const l = this.listeners;
    this.listeners = undefined;
    if (!l) return;
    for (const f of l) {
      try {
        f();
      } catch (e) {
        // As EventTarget does: a throwing listener is reported as uncaught; the others still run.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
