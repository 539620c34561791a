import type { RunStreamEvent } from "@openai/agents";
import type { Markdown, TextComponent } from "../protocol/widgets/components.js";

/**
 * Streams an agent's text into a Text or Markdown widget: yields `baseWidget`, then a copy whose
 * `value` is all the text so far after each delta, then a final copy with `streaming: false`.
 * Pass the result to `AgentContext.streamWidget` (wrapped in a root) to show the text live.
 *
 * [ts] Counts the normalized `output_text_delta` events, which every model emits, so Responses
 * models are not counted twice.
 */
export async function* accumulateText<W extends TextComponent | Markdown>(
  events: AsyncIterable<RunStreamEvent>,
  baseWidget: W,
): AsyncGenerator<W, void, undefined> {
  let text = "";
  yield baseWidget;
  for await (const event of events) {
    if (event.type === "raw_model_stream_event" && event.data.type === "output_text_delta") {
      text += event.data.delta;
      yield { ...structuredClone(baseWidget), value: text };
    }
  }
  yield { ...structuredClone(baseWidget), value: text, streaming: false };
}
