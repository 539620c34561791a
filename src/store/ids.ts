import { randomUUID } from "node:crypto";

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

/** `<prefix>_<8 hex>` as the Python SDK does, e.g. `msg_4d2ee73b`. */
export function defaultGenerateId(kind: keyof typeof ID_PREFIXES): string {
  return `${ID_PREFIXES[kind]}_${randomUUID().slice(0, 8)}`;
}
