export function parseStat(text: string): { utime: number; stime: number; cutime: number; cstime: number };
export function parseProcStat(text: string): { busy: number; total: number; steal: number };
export function parseStatusKb(text: string, field: string): number | undefined;
export function clockTicks(): number;
export function cpuMicros(pid: number): number;
export function selfAndChildrenMicros(): number;
export function machineBusyMicros(): number;
export function memory(pid: number): { rss: number | undefined; hwm: number | undefined };
