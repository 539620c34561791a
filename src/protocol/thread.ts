import { z } from "zod";
import { TextSchema } from "./text.js";
import { DateTimeSchema, JsonObjectSchema, optional } from "./fields.js";
import { ThreadItemSchema } from "./items.js";

export const ThreadStatusSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("active") }),
  /** Temporary: the composer is disabled and shows `reason`. */
  z.object({ type: z.literal("locked"), reason: optional(TextSchema) }),
  /** Final: the composer is replaced by a banner showing `reason`. */
  z.object({ type: z.literal("closed"), reason: optional(TextSchema) }),
]);
export type ThreadStatus = z.infer<typeof ThreadStatusSchema>;

export const ThreadMetadataSchema = z.object({
  id: TextSchema,
  created_at: DateTimeSchema,
  title: optional(TextSchema),
  status: ThreadStatusSchema.default({ type: "active" }),
  allowed_image_domains: optional(z.array(TextSchema)),
  /** Server-private data: stored, always sent to the client as `{}`. */
  metadata: JsonObjectSchema.default({}),
});
export type ThreadMetadata = z.infer<typeof ThreadMetadataSchema>;

/** A cursor page, as `threads.list` and `items.list` return it. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item).default([]),
    has_more: z.boolean().default(false),
    /** The id of the last element, set when `has_more` is true. */
    after: optional(TextSchema),
  });
export interface Page<T> {
  data: T[];
  has_more: boolean;
  after?: string | undefined;
}

export const ThreadSchema = ThreadMetadataSchema.extend({ items: pageSchema(ThreadItemSchema) });
export type Thread = z.infer<typeof ThreadSchema>;
