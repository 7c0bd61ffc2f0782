export function category(url: string, fn: string): string;
export function summariseProfile(
  profile: {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    samples: number[];
    timeDeltas: number[];
  },
  n?: number,
): {
  totalMs: number;
  busyPct: number;
  categories: Array<{ name: string; pct: number }>;
  top: Array<{ name: string; pct: number }>;
};
