export interface BenchRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  errors: number;
  errorKinds: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Latency resolution of the tool: 0.001 for wrk, 1 for autocannon. */
  resolutionMs: number;
}
export function loadTool(): 'wrk' | 'autocannon';
export function encodeRequests(reqs: BenchRequest[]): Buffer;
export function decodeRequests(buf: Buffer): Required<BenchRequest>[];
export function writeRequests(file: string, reqs: BenchRequest[]): void;
export function parseResult(stdout: string): LoadResult | undefined;
