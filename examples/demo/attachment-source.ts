/**
 * How the demo agent gets attachments: their bytes, read from the `LocalAttachmentStore`, sent
 * inline. The model cannot fetch `preview_url` — it points at this server, usually `localhost` —
 * so a URL source would not work here.
 */
import type { AttachmentSource } from "../../src/agents/index.js";
import type { Attachment, LocalAttachmentStore } from "../../src/index.js";

/**
 * A `ThreadItemConverter` `attachmentSource` hook that reads each attachment's bytes from `store`
 * with the request's `context`. The converter turns them into a `data:` URL: `input_image` for
 * images, `input_file` (with the file name) for other files.
 *
 * ```ts
 * const converter = new ThreadItemConverter({ attachmentSource: localAttachmentSource(attachments, context) });
 * ```
 */
export function localAttachmentSource<TContext>(
  store: LocalAttachmentStore<TContext>,
  context: TContext,
): (attachment: Attachment) => Promise<AttachmentSource> {
  return async (attachment) => ({ data: await store.read(attachment.id, context), mimeType: attachment.mime_type });
}
