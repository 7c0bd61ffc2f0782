export interface CpuSnapshot {
  t: number;
  daemon: number;
  upstream: number;
  self: number;
  machine: number;
}
export function cpuFigures(
  a: CpuSnapshot,
  b: CpuSnapshot,
  requests: number,
): {
  cpuUsPerReq: number | undefined;
  upstreamUsPerReq: number | undefined;
  daemonCorePct: number;
  loadCorePct: number;
  foreignPct: number;
};
