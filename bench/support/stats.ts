/** The value below which `p` percent of the sorted samples lie (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Sorts a copy in place-friendly typed array (numeric order, not string order). */
export function sorted(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export const fmt = (value: number, digits = 2) => value.toFixed(digits);

/** 1234567 → "1,234,567". */
export const int = (value: number) => Math.round(value).toLocaleString("en-US");

export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Lets pending I/O and timers run, and gives the GC a chance between measurements. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  (globalThis as { gc?: () => void }).gc?.();
}

/** CPU time this process has used (user + system, all threads), in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
