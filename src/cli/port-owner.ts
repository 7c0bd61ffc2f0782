import { readFile, readdir, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Whether host:port can be listened on now (false: EADDRINUSE). Other errors are thrown. */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve(false);
      else reject(e);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Which process listens on a TCP port, where Linux's /proc can tell (only processes this user may
 * inspect are found): `pid 123 (python3 -m http.server 4000)`, or undefined.
 */
export async function portOwner(port: number): Promise<string | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      const localPort = parseInt(cols[1].split(':').pop() ?? '', 16);
      if (localPort === port && cols[9] !== '0') inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        const shown = cmd.split('\0').filter(Boolean).join(' ').slice(0, 100);
        return shown ? `pid ${pid} (${shown})` : `pid ${pid}`;
      }
    }
  }
  return undefined;
}
