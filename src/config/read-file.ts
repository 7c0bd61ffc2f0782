import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Largest config or `.env` file read: a real one is a few KB. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Longest a config read may take (a file on a stalled network mount). */
export const CONFIG_READ_TIMEOUT_MS = 5_000;

/**
 * Read a config-like file as UTF-8: a regular file only (a FIFO or a device would block the reader,
 * and with it hot reload; it is opened non-blocking and refused by its type), at most `maxBytes`,
 * within `timeoutMs`. Missing files throw ENOENT and directories EISDIR, as `readFile` does.
 */
export async function readConfigFile(
  path: string,
  opts: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<string> {
  const maxBytes = opts.maxBytes ?? MAX_CONFIG_BYTES;
  const timeoutMs = opts.timeoutMs ?? CONFIG_READ_TIMEOUT_MS;
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
    if (!st.isFile()) throw new Error(`not a regular file (${kindOf(st)}); give the path of a file`);
    if (st.size > maxBytes) throw new Error(`larger than ${maxBytes} bytes (${st.size})`);
    const signal = AbortSignal.timeout(timeoutMs);
    const buf = await fh.readFile({ signal }).catch((e: Error) => {
      if (signal.aborted) throw new Error(`not read within ${timeoutMs / 1000} s`);
      throw e;
    });
    if (buf.length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

function kindOf(st: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}
