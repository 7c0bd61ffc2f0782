import type { CanonicalRequest, Dialect, Unportable } from '../canonical.js';
import type { ParamSink } from './sink.js';

/**
 * Reports what a translated request carries that the target's format cannot honour: refused (or
 * dropped under drop_params), or left out and listed when it is only an offer.
 */
export function reportUnportable(req: CanonicalRequest, target: Dialect, params: ParamSink): void {
  for (const u of req.unportable ?? []) {
    if (u.dialect === target) continue;
    if (u.offered) params.leftOut(u.param);
    else params.unsupported(u.param, u.why);
  }
}

/** Records an unportable parameter on the request being decoded. */
export function unportable(req: CanonicalRequest, u: Unportable): void {
  (req.unportable ??= []).push(u);
}
