import { z } from "zod";
import { TextSchema } from "./text.js";
import { JsonObjectSchema, optional } from "./fields.js";

/** Where and how the client uploads the bytes of a two-phase attachment. */
export const UploadDescriptorSchema = z.object({
  url: TextSchema,
  method: z.enum(["POST", "PUT"]),
  headers: z.record(TextSchema, TextSchema).default({}),
});
export type UploadDescriptor = z.infer<typeof UploadDescriptorSchema>;

const attachmentBase = {
  id: TextSchema,
  name: TextSchema,
  mime_type: TextSchema,
  upload_descriptor: optional(UploadDescriptorSchema),
  /** Set when the attachment is first used in a user message. */
  thread_id: optional(TextSchema),
  /** Integration-only data: stored, never sent to the client. */
  metadata: optional(JsonObjectSchema),
};

export const FileAttachmentSchema = z.object({ type: z.literal("file"), ...attachmentBase });
export const ImageAttachmentSchema = z.object({
  type: z.literal("image"),
  ...attachmentBase,
  preview_url: TextSchema,
});
export const AttachmentSchema = z.discriminatedUnion("type", [
  FileAttachmentSchema,
  ImageAttachmentSchema,
]);
export type FileAttachment = z.infer<typeof FileAttachmentSchema>;
export type ImageAttachment = z.infer<typeof ImageAttachmentSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;

export const AttachmentCreateParamsSchema = z.object({
  name: TextSchema,
  size: z.coerce.number().int().nonnegative(),
  mime_type: TextSchema,
});
export type AttachmentCreateParams = z.infer<typeof AttachmentCreateParamsSchema>;
