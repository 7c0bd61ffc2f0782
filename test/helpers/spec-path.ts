import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The vendored provider and protocol specifications (see test/fixtures/specs/PROVENANCE.md). */
const SPECS_DIR = fileURLToPath(new URL('../fixtures/specs/', import.meta.url));

export function specPath(...parts: string[]): string {
  return join(SPECS_DIR, ...parts);
}
