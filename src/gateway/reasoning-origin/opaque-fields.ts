import { mark, readMark, valueFor } from './mark.js';

type Json = Record<string, unknown>;

/** Where one entry (a content block, an input item, a part) holds an opaque value, and what a foreign one costs. */
export interface OpaqueSlot {
  key: string;
  /** `entry`: leave the whole entry out; `key`: drop the key; `{replace}`: put this value in its place. */
  foreign: 'entry' | 'key' | { replace: string };
}

/**
 * Where a wire format keeps opaque reasoning, declared by the client dialect that speaks it, for
 * bodies passed through unchanged (the client's dialect is the upstream's).
 */
export interface OpaqueFields {
  /**
   * The request with each entry that may hold opaque values passed through `fix` (null: leave
   * it out). Copy-on-write: what `fix` leaves alone stays shared with `body`, which is not changed.
   */
  mapRequest(body: Json, fix: (entry: Json) => Json | null): Json;
  /** The entries of an answer body that may hold opaque values, for marking in place. */
  responseEntries(body: Json): Json[];
  slot(entry: Json): OpaqueSlot | undefined;
  /** In stream bytes, the JSON text right before an opaque string value (`"signature":"`). */
  streamKeys: readonly string[];
}

/** A passthrough request for a deployment of `family`: marked values unmarked or stripped (see mark.ts). */
export function requestBodyForFamily(body: Json, fields: OpaqueFields, family: string): Json {
  return fields.mapRequest(body, (entry) => {
    const slot = fields.slot(entry);
    const value = slot && entry[slot.key];
    if (typeof value !== 'string' || readMark(value) === undefined) return entry;
    const original = valueFor(value, family);
    if (original !== undefined) return { ...entry, [slot!.key]: original };
    const foreign = slot!.foreign;
    if (foreign === 'entry') return null;
    const out = { ...entry };
    if (foreign === 'key') delete out[slot!.key];
    else out[slot!.key] = foreign.replace;
    return out;
  });
}

/** Marks the opaque values of a passthrough answer in place; true when it changed anything. */
export function markResponseBody(body: Json, fields: OpaqueFields, family: string): boolean {
  let changed = false;
  for (const entry of fields.responseEntries(body)) {
    const slot = fields.slot(entry);
    const value = slot && entry[slot.key];
    if (typeof value !== 'string' || value.length === 0) continue;
    const marked = mark(value, family);
    if (marked !== value) {
      entry[slot!.key] = marked;
      changed = true;
    }
  }
  return changed;
}

/** `list` with `fix` applied to each object entry; the same array when nothing changed. */
export function mapList(list: unknown[], fix: (entry: Json) => Json | null): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    const next = isJson(e) ? fix(e) : e;
    if (next === e && out === undefined) continue;
    out ??= list.slice(0, i);
    if (next !== null) out.push(next);
  }
  return out ?? list;
}

/**
 * `outer` (e.g. messages) with each entry's `key` list (its content) mapped by `fix`: the same
 * array when nothing changed, else a copy with changed entries copied.
 */
export function mapNested(outer: unknown[], key: string, fix: (entry: Json) => Json | null): unknown[] {
  let out: unknown[] | undefined;
  outer.forEach((o, i) => {
    if (!isJson(o) || !Array.isArray(o[key])) return;
    const inner = mapList(o[key] as unknown[], fix);
    if (inner === o[key]) return;
    out ??= outer.slice();
    out[i] = { ...o, [key]: inner };
  });
  return out ?? outer;
}

export function isJson(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
