// Reading a process's CPU time and memory from /proc (Linux). Pure parsers plus thin readers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * utime and stime (clock ticks) from the text of /proc/<pid>/stat. The command name (field 2) may
 * hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStat(text) {
  const close = text.lastIndexOf(')');
  if (close === -1) throw new Error('not a /proc/<pid>/stat line');
  // After ')' come field 3 (state) onwards: utime is field 14, stime 15, cutime 16, cstime 17.
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const num = (i) => Number(f[i - 3]);
  return { utime: num(14), stime: num(15), cutime: num(16), cstime: num(17) };
}

/** Busy and total ticks over all CPUs from the text of /proc/stat (first `cpu ` line). */
export function parseProcStat(text) {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest fields are already in user/nice)
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait + steal, steal };
}

/** A `Vm…:   1234 kB` field of /proc/<pid>/status, in bytes (undefined when absent). */
export function parseStatusKb(text, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

let ticks;
/** Clock ticks per second (`getconf CLK_TCK`), 100 when getconf is missing. */
export function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU time (user + system) of a live process, in microseconds. */
export function cpuMicros(pid) {
  const s = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ((s.utime + s.stime) * 1e6) / clockTicks();
}

/** CPU time of this process plus its reaped children (e.g. a finished wrk), in microseconds. */
export function selfAndChildrenMicros() {
  const s = parseStat(readFileSync('/proc/self/stat', 'utf8'));
  return ((s.utime + s.stime + s.cutime + s.cstime) * 1e6) / clockTicks();
}

/** Busy CPU time of the whole machine so far, in microseconds. */
export function machineBusyMicros() {
  return (parseProcStat(readFileSync('/proc/stat', 'utf8')).busy * 1e6) / clockTicks();
}

/** Resident and peak resident memory of a live process, in bytes. */
export function memory(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: parseStatusKb(text, 'VmRSS'), hwm: parseStatusKb(text, 'VmHWM') };
}
