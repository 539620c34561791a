/**
 * A deep copy of a plain JSON-like value. Every event the integration emits holds snapshots, so
 * an app collecting events never sees them change afterwards (agents.md Q4).
 */
export const snapshot = <T>(value: T): T => structuredClone(value);

/** `created_at` for a new item. */
export const now = (): string => new Date().toISOString();

/** Whole seconds since `createdAt`, truncated toward zero (as Python's `int()`). */
export function secondsSince(createdAt: string): number {
  const started = Date.parse(createdAt);
  if (Number.isNaN(started)) return 0;
  return Math.max(0, Math.trunc((Date.now() - started) / 1000));
}
