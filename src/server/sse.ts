import type { ThreadStreamEvent } from "../protocol/events.js";
import { toWireEvent } from "../protocol/wire.js";

const encoder = new TextEncoder();

/** One Server-Sent Events frame: `data: <compact json>\n\n`, as UTF-8. */
export function encodeEvent(event: ThreadStreamEvent): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(toWireEvent(event))}\n\n`);
}
