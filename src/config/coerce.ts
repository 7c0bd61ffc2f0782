import type { z } from 'zod';

/**
 * Walks a value alongside the zod schema it is about to meet. After `${VAR}` expansion every
 * substituted value is a string, so where the schema wants a number or a boolean a numeric or
 * `true`/`false` string becomes one, and an empty string (a missing variable) counts as absent.
 * Where a string belongs, a YAML number or boolean becomes its text (`key: 12345`).
 * YAML's empty value (`cache:` with nothing after it) is null: it counts as absent too, except
 * inside free-form values such as `params`, where null may be meant.
 */

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
};

function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

/** Strips optional/default/prefault/nullable/readonly/catch/pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.out) s = d.out;
    else break;
  }
  return s;
}

/** `obj[key] = value` that also works for a YAML key named `__proto__` (kept as data, never a prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function coerceScalars(schema: z.ZodType, value: unknown): unknown {
  const s = unwrap(schema);
  const d = defOf(s);
  if (d.type === 'unknown' || d.type === 'any') return value;
  if (value === null) return undefined;
  // `key: 12345` or `model: 3.5` in YAML are numbers; where a string belongs they mean the text.
  if ((typeof value === 'number' || typeof value === 'boolean') && d.type === 'string') return String(value);
  if (typeof value === 'string') {
    const t = value.trim();
    if (d.type === 'number') return t === '' ? undefined : NUMERIC.test(t) ? Number(t) : value;
    if (d.type === 'boolean')
      return t === '' ? undefined : t === 'true' ? true : t === 'false' ? false : value;
    return value;
  }
  if (Array.isArray(value)) {
    return d.type === 'array' && d.element ? value.map((v) => coerceScalars(d.element!, v)) : value;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (d.type === 'object' && d.shape) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        const child = Object.hasOwn(d.shape, k) ? coerceScalars(d.shape[k], v) : v;
        if (child !== undefined) setOwn(out, k, child);
      }
      return out;
    }
    if (d.type === 'record' && d.valueType) {
      const out: Record<string, unknown> = {};
      // `ollama:` with nothing after it means an entry with all settings at their defaults.
      const entryIsObject = defOf(unwrap(d.valueType)).type === 'object';
      for (const [k, v] of Object.entries(obj)) {
        setOwn(out, k, v === null && entryIsObject ? {} : coerceScalars(d.valueType, v));
      }
      return out;
    }
  }
  return value;
}

/** The keys an object at `path` may have, for "did you mean" hints; [] when the path is not an object. */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    const d = defOf(s);
    if (d.type === 'object' && d.shape && typeof seg === 'string') s = d.shape[seg];
    else if (d.type === 'record' && d.valueType) s = d.valueType;
    else if (d.type === 'array' && d.element && typeof seg === 'number') s = d.element;
    else return [];
    if (!s) return [];
    s = unwrap(s);
  }
  const d = defOf(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}
