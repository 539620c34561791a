import { z } from "zod";
import { JsonObjectSchema, optional } from "./fields.js";

/** Where and how the client uploads the bytes of a two-phase attachment. */
export const UploadDescriptorSchema = z.object({
  url: z.string(),
  method: z.enum(["POST", "PUT"]),
  headers: z.record(z.string(), z.string()).default({}),
});
export type UploadDescriptor = z.infer<typeof UploadDescriptorSchema>;

const attachmentBase = {
  id: z.string(),
  name: z.string(),
  mime_type: z.string(),
  upload_descriptor: optional(UploadDescriptorSchema),
  /** Set when the attachment is first used in a user message. */
  thread_id: optional(z.string()),
  /** Integration-only data: stored, never sent to the client. */
  metadata: optional(JsonObjectSchema),
};

export const FileAttachmentSchema = z.object({ type: z.literal("file"), ...attachmentBase });
export const ImageAttachmentSchema = z.object({
  type: z.literal("image"),
  ...attachmentBase,
  preview_url: z.string(),
});
export const AttachmentSchema = z.discriminatedUnion("type", [
  FileAttachmentSchema,
  ImageAttachmentSchema,
]);
export type FileAttachment = z.infer<typeof FileAttachmentSchema>;
export type ImageAttachment = z.infer<typeof ImageAttachmentSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;

export const AttachmentCreateParamsSchema = z.object({
  name: z.string(),
  size: z.coerce.number().int().nonnegative(),
  mime_type: z.string(),
});
export type AttachmentCreateParams = z.infer<typeof AttachmentCreateParamsSchema>;
