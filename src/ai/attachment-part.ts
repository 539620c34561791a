import type { FilePart, ImagePart } from "ai";
import type { Attachment } from "../index.js";

/**
 * Where the model gets an attachment's content from:
 * - `{ url }`: a URL the model provider can fetch (public or signed; not a `localhost` preview);
 * - `{ data }`: the bytes, or their base64 text, sent inline.
 */
export type AttachmentSource = { url: string | URL } | { data: Uint8Array | string; mediaType?: string };

/** An attachment as a part of a user message: an image part for images, else a file part. */
export function attachmentPart(attachment: Attachment, source: AttachmentSource): ImagePart | FilePart {
  const mediaType = ("mediaType" in source && source.mediaType) || attachment.mime_type;
  const content = "url" in source ? source.url.toString() : source.data;
  if (attachment.type === "image") return { type: "image", image: content, mediaType };
  return { type: "file", data: content, mediaType, filename: attachment.name };
}
