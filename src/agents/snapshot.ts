/**
 * A deep copy of a plain JSON-like value. Every event the integration emits holds snapshots, so
 * an app collecting events never sees them change afterwards (agents.md Q4).
 */
export const snapshot = <T>(value: T): T => structuredClone(value);

/** `created_at` for a new item. */
export const now = (): string => new Date().toISOString();
