import { z } from "zod";
import { TextSchema } from "./text.js";
import { ThreadItemSchema } from "./items.js";

/** What `threads.sync_custom_action` answers; `{}` when the sender is unchanged. */
export const SyncCustomActionResponseSchema = z.object({
  updated_item: ThreadItemSchema.optional(),
});
export type SyncCustomActionResponse = z.infer<typeof SyncCustomActionResponseSchema>;

export const TranscriptionResultSchema = z.object({ text: TextSchema });
export type TranscriptionResult = z.infer<typeof TranscriptionResultSchema>;

/** Dictated audio handed to `transcribe`. */
export interface AudioInput {
  /** The decoded bytes. */
  data: Uint8Array;
  /** As the client sent it, e.g. `audio/webm;codecs=opus`. */
  mime_type: string;
  /** `mime_type` up to the first `;`, e.g. `audio/webm`. */
  media_type: string;
}
