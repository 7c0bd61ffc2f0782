import { open, readFile, rm, stat } from 'node:fs/promises';
import { pidAlive } from '../shared/state-file.js';
import { sleep } from './daemon-client.js';

/** A lock held by a process that died, or never finished writing its pid for this long, is stale. */
const EMPTY_LOCK_STALE_MS = 5_000;

/**
 * An exclusive lock file (`open(…, 'wx')` holding the owner's pid) around "check the state file,
 * spawn, wait for readiness", so concurrent `start` calls end with one daemon. Waits up to
 * `timeoutMs` for another holder; a holder that died is taken over.
 */
export async function acquireLock(
  path: string,
  opts: { timeoutMs?: number; onWait?: (holder: number | undefined) => void } = {},
): Promise<() => Promise<void>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let told = false;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(String(process.pid));
      } finally {
        await fh.close();
      }
      return async () => {
        const holder = await readHolder(path);
        if (holder === process.pid) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readHolder(path);
    if (holder === undefined ? await olderThan(path, EMPTY_LOCK_STALE_MS) : !pidAlive(holder)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another agentbox start${holder ? ` (pid ${holder})` : ''} holds ${path}`);
    }
    if (!told) {
      told = true;
      opts.onWait?.(holder);
    }
    await sleep(100);
  }
}

async function readHolder(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return true; // gone: try again
  }
}
