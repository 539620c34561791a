import type { ThreadMetadata, ThreadStreamEvent } from "../../src/index.js";

export interface ScriptOptions {
  /** How many text deltas the assistant message streams. */
  deltas: number;
  /** Milliseconds between deltas; 0 streams them back to back. */
  paceMs?: number;
  /** Aborts pacing early (a cancelled turn). */
  signal?: AbortSignal;
  /** Called once per delta, before it is yielded (the cancellation bench watches progress). */
  onDelta?: (index: number) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * A scripted assistant message, as a model integration would stream it: added →
 * content_part.added → `deltas` text deltas → content_part.done → item done. The same generator
 * feeds the SDK and the bare-minimum baseline, so both pay for producing the events.
 */
export async function* assistantMessage(thread: ThreadMetadata, options: ScriptOptions): AsyncGenerator<ThreadStreamEvent> {
  const id = `msg_${thread.id}`;
  const item = { type: "assistant_message" as const, id, thread_id: thread.id, created_at: new Date().toISOString(), content: [] };
  yield { type: "thread.item.added", item };
  yield {
    type: "thread.item.updated",
    item_id: id,
    update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } },
  };
  let text = "";
  for (let i = 0; i < options.deltas; i++) {
    if (options.paceMs) await sleep(options.paceMs, options.signal);
    if (options.signal?.aborted) return;
    options.onDelta?.(i);
    const delta = `tok${i % 100} `;
    text += delta;
    yield {
      type: "thread.item.updated",
      item_id: id,
      update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta },
    };
  }
  const part = { type: "output_text" as const, text, annotations: [] };
  yield { type: "thread.item.updated", item_id: id, update: { type: "assistant_message.content_part.done", content_index: 0, content: part } };
  yield { type: "thread.item.done", item: { ...item, content: [part] } };
}
