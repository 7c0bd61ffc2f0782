export function median(xs: Array<number | undefined>): number | undefined;
export function quietRuns<T extends { foreignPct?: number }>(runs: T[], maxForeign?: number): T[];
export function medianFields<T extends Record<string, unknown>>(
  runs: T[],
  fields: string[],
): Record<string, number | undefined>;
export function round(n: number | undefined, digits?: number): number | undefined;
