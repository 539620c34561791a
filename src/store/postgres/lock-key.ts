import { createHash } from "node:crypto";

/**
 * The advisory-lock key of a name: PostgreSQL keys advisory locks by a 64-bit integer, given here
 * as a decimal string for a `bigint` parameter. The first 8 bytes of SHA-256: stable across
 * processes and versions, collisions negligible.
 */
export function lockKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}
