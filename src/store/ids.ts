import { randomBytes } from "node:crypto";

/** Kinds of ids a store generates, with the prefixes of protocol.md §7.4. */
export const ID_PREFIXES = {
  thread: "thr",
  message: "msg",
  tool_call: "tc",
  workflow: "wf",
  task: "tsk",
  attachment: "atc",
  sdk_hidden_context: "shcx",
} as const;
export type StoreItemType = Exclude<keyof typeof ID_PREFIXES, "thread" | "attachment">;

/**
 * `<prefix>_<24 hex>`, e.g. `msg_4d2ee73b09a1c5f26e8b7d30`: 96 random bits, so ids never collide
 * in practice (8 hex digits, 32 bits, reach a 1% chance of a collision at ~9 000 threads).
 */
export function defaultGenerateId(kind: keyof typeof ID_PREFIXES): string {
  return `${ID_PREFIXES[kind]}_${randomBytes(12).toString("hex")}`;
}
