import { fileURLToPath } from 'node:url';

/**
 * Files of the build, found from this module: it sits one folder below dist/ both unbundled
 * (dist/shared/) and in a bundle chunk (dist/daemon/), so the same relative URL works for both.
 */
export function daemonBundlePath(): string {
  return fileURLToPath(new URL('../daemon/daemon-main.js', import.meta.url));
}
