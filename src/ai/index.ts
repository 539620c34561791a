/**
 * `chatkit-server/ai`: answer with any model through the Vercel AI SDK (`ai`).
 *
 * ```ts
 * async *respond(thread, input, context, turn) {
 *   const page = await this.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
 *   const result = streamText({
 *     model,
 *     messages: await toModelMessages([...page.data].reverse()),
 *     abortSignal: turn.signal,
 *   });
 *   yield* streamTextResponse(thread, result, { store: this.store, context });
 * }
 * ```
 */
export { type AttachmentSource } from "./attachment-part.js";
export { defaultConvertSource } from "./sources.js";
export { streamTextResponse, type StreamTextResponseOptions, type TextStreamSource } from "./stream-text-response.js";
export type { StreamSource, StreamToolCall, StreamToolResult, ToolTask, ToolWidget } from "./text-stream-mapper.js";
export {
  toModelMessages,
  type ConvertItemInfo,
  type ItemConverter,
  type ModelMessagesResult,
  type ToModelMessagesOptions,
  type UserMessagePart,
} from "./to-model-messages.js";
