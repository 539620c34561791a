import type { ThreadStreamEvent } from "../protocol/events.js";
import { toWireEvent } from "../protocol/wire.js";

const { stringify } = JSON;

/** The part of a `Buffer` constructor this module uses; UTF-8 is `from`'s default encoding. */
interface NativeBuffer {
  from(text: string): Uint8Array;
}

/**
 * The runtime's fastest UTF-8 encoder for short strings. Node's and Deno's `Buffer.from` copies
 * into a shared pool, several times cheaper than `TextEncoder.encode`, which allocates an
 * ArrayBuffer per call; a Buffer without a pool (Bun's) is slower than the runtime's TextEncoder,
 * and Workers have no Buffer. Detected rather than imported, so this module stays Web-standard.
 */
export function utf8Encoder(globals: { Buffer?: unknown } = globalThis): (text: string) => Uint8Array {
  const buffer = globals.Buffer as NativeBuffer | undefined;
  if (typeof buffer?.from === "function" && buffer.from(" ").buffer.byteLength > 1) {
    return (text) => buffer.from(text);
  }
  const encoder = new TextEncoder();
  return (text) => encoder.encode(text);
}

/** UTF-8 bytes of a string, by the runtime's fastest encoder. */
export const encodeUtf8 = utf8Encoder();

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
  return encodeUtf8(frameText(event));
}
