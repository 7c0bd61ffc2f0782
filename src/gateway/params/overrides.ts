import type { Deployment } from '../../config/types.js';

type Json = Record<string, unknown>;

/**
 * A chain entry's `drop:` and `force:`, named as the deployment's wire takes them. They are applied
 * last, to the body about to be sent, on every path: `drop` removes the named parameters, `force`
 * sets its values over whatever the client sent (`params`, by contrast, are defaults the request
 * overrides). Returns the dropped parameters the body actually held, for `x-agentbox-dropped`.
 */
export function applyOverrides(body: Json, d: Deployment): string[] {
  const dropped: string[] = [];
  for (const k of d.drop ?? []) {
    if (body[k] === undefined) continue;
    delete body[k];
    dropped.push(k);
  }
  if (d.force) for (const [k, v] of Object.entries(d.force)) body[k] = structuredClone(v);
  return dropped;
}

const decided = new WeakMap<Deployment, ReadonlySet<string>>();

/** The parameters this deployment's overrides decide, whatever the client sent: a codec need not refuse them. */
export function overridden(d: Deployment): ReadonlySet<string> {
  let set = decided.get(d);
  if (!set) decided.set(d, (set = new Set([...(d.drop ?? []), ...Object.keys(d.force ?? {})])));
  return set;
}
