import type { ThreadStreamEvent } from "../protocol/events.js";
import { toWireEvent } from "../protocol/wire.js";

const encoder = new TextEncoder();
const { stringify } = JSON;

/**
 * The `data:` line of the hottest event, a text delta, written directly: the same JSON as
 * `JSON.stringify` of the typed event (fields in the same order), at a fraction of the cost of
 * walking the nested object. Anything unusual takes the generic path.
 */
function textDeltaFrame(event: ThreadStreamEvent): string | undefined {
  if (event.type !== "thread.item.updated") return undefined;
  const update = event.update;
  if (update.type !== "assistant_message.content_part.text_delta" || !Number.isInteger(update.content_index)) {
    return undefined;
  }
  return `data: {"type":"thread.item.updated","item_id":${stringify(event.item_id)},"update":{"type":"assistant_message.content_part.text_delta","content_index":${update.content_index},"delta":${stringify(update.delta)}}}\n\n`;
}

/** One Server-Sent Events frame as text: `data: <compact json>\n\n`. */
export function frameText(event: ThreadStreamEvent): string {
  return textDeltaFrame(event) ?? `data: ${stringify(toWireEvent(event))}\n\n`;
}

/** One Server-Sent Events frame: `data: <compact json>\n\n`, as UTF-8. */
export function encodeEvent(event: ThreadStreamEvent): Uint8Array {
  return encoder.encode(frameText(event));
}
