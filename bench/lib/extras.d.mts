export function growthWindows(rss: number[]): { baseMb: number | undefined; endMb: number | undefined };
