/** Small statistics for benchmark scripts: they report min and median of repeated runs. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<{ min: number; median: number; all: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    all.push(performance.now() - t);
  }
  return { min: Math.min(...all), median: median(all), all };
}

export function verdict(ok: boolean): string {
  return ok ? 'meets target' : 'MISSES target';
}

export const isMain = (metaUrl: string) => process.argv[1] !== undefined && metaUrl.endsWith(process.argv[1].replace(/^.*\//, '/'));
