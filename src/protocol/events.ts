import { z } from "zod";
import { TextSchema } from "./text.js";
import { IconNameSchema, JsonObjectSchema, optional } from "./fields.js";
import { ThreadItemSchema } from "./items.js";
import { ThreadSchema } from "./thread.js";
import { ThreadItemUpdateSchema } from "./updates.js";

export const StreamOptionsSchema = z.object({
  /** Whether the client shows a Stop button while this stream runs. */
  allow_cancel: z.boolean(),
});
export type StreamOptions = z.infer<typeof StreamOptionsSchema>;

export const ThreadCreatedEventSchema = z.object({
  type: z.literal("thread.created"),
  thread: ThreadSchema,
});
export const ThreadUpdatedEventSchema = z.object({
  type: z.literal("thread.updated"),
  thread: ThreadSchema,
});
export const ThreadItemAddedEventSchema = z.object({
  type: z.literal("thread.item.added"),
  item: ThreadItemSchema,
});
export const ThreadItemUpdatedEventSchema = z.object({
  type: z.literal("thread.item.updated"),
  item_id: TextSchema,
  update: ThreadItemUpdateSchema,
});
export const ThreadItemDoneEventSchema = z.object({
  type: z.literal("thread.item.done"),
  item: ThreadItemSchema,
});
export const ThreadItemRemovedEventSchema = z.object({
  type: z.literal("thread.item.removed"),
  item_id: TextSchema,
});
export const ThreadItemReplacedEventSchema = z.object({
  type: z.literal("thread.item.replaced"),
  item: ThreadItemSchema,
});
export const StreamOptionsEventSchema = z.object({
  type: z.literal("stream_options"),
  stream_options: StreamOptionsSchema,
});
export const ProgressUpdateEventSchema = z.object({
  type: z.literal("progress_update"),
  icon: optional(IconNameSchema),
  text: TextSchema,
});
export const ClientEffectEventSchema = z.object({
  type: z.literal("client_effect"),
  name: TextSchema,
  data: JsonObjectSchema.default({}),
});
export const ErrorEventSchema = z.object({
  type: z.literal("error"),
  /** `"stream.error"`, `"custom"` (show `message`), or an app-defined code. */
  code: TextSchema.default("custom"),
  message: optional(TextSchema),
  allow_retry: z.boolean().default(false),
});
export const NoticeEventSchema = z.object({
  type: z.literal("notice"),
  level: z.enum(["info", "warning", "danger"]),
  /** Markdown. */
  message: TextSchema,
  title: optional(TextSchema),
});

export const ThreadStreamEventSchema = z.discriminatedUnion("type", [
  ThreadCreatedEventSchema,
  ThreadUpdatedEventSchema,
  ThreadItemAddedEventSchema,
  ThreadItemUpdatedEventSchema,
  ThreadItemDoneEventSchema,
  ThreadItemRemovedEventSchema,
  ThreadItemReplacedEventSchema,
  StreamOptionsEventSchema,
  ProgressUpdateEventSchema,
  ClientEffectEventSchema,
  ErrorEventSchema,
  NoticeEventSchema,
]);

export type ThreadCreatedEvent = z.infer<typeof ThreadCreatedEventSchema>;
export type ThreadUpdatedEvent = z.infer<typeof ThreadUpdatedEventSchema>;
export type ThreadItemAddedEvent = z.infer<typeof ThreadItemAddedEventSchema>;
export type ThreadItemUpdatedEvent = z.infer<typeof ThreadItemUpdatedEventSchema>;
export type ThreadItemDoneEvent = z.infer<typeof ThreadItemDoneEventSchema>;
export type ThreadItemRemovedEvent = z.infer<typeof ThreadItemRemovedEventSchema>;
export type ThreadItemReplacedEvent = z.infer<typeof ThreadItemReplacedEventSchema>;
export type StreamOptionsEvent = z.infer<typeof StreamOptionsEventSchema>;
export type ProgressUpdateEvent = z.infer<typeof ProgressUpdateEventSchema>;
export type ClientEffectEvent = z.infer<typeof ClientEffectEventSchema>;
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;
export type NoticeEvent = z.infer<typeof NoticeEventSchema>;
export type ThreadStreamEvent = z.infer<typeof ThreadStreamEventSchema>;
