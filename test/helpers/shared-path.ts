import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's read-only `shared/` folder, which sits beside the repository (`../shared`). */
export const SHARED_DIR =
  process.env.AGENTBOX_SHARED_DIR ?? join(fileURLToPath(new URL('../../', import.meta.url)), '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}
