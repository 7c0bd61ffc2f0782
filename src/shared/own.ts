/**
 * Lookups by a name that came from a file or a request: only the record's own properties count,
 * so `constructor`, `toString` or `__proto__` never find something on Object.prototype.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Names that cannot be keys of a plain object without changing the object itself. */
export function isReservedName(name: string): boolean {
  return name === '__proto__';
}
