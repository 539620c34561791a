import type { FilePart } from "ai";
import type { Attachment } from "../index.js";

/**
 * Where the model gets an attachment's content from:
 * - `{ url }`: a URL the model provider can fetch (public or signed; not a `localhost` preview);
 * - `{ data }`: the bytes, or their base64 text, sent inline.
 */
export type AttachmentSource = { url: string | URL } | { data: Uint8Array | string; mediaType?: string };

/**
 * An attachment as a file part of a user message, images included: a file part with an `image/*`
 * media type is an image to every provider, and AI SDK 7 deprecates the separate image part.
 */
export function attachmentPart(attachment: Attachment, source: AttachmentSource): FilePart {
  const mediaType = ("mediaType" in source && source.mediaType) || attachment.mime_type;
  const data = "url" in source ? source.url.toString() : source.data;
  return { type: "file", data, mediaType, filename: attachment.name };
}
