import type { NonStreamingRequest } from "../protocol/requests.js";
import { toWireAttachment, toWireItem, toWirePage, toWireThread } from "../protocol/wire.js";
import { NotFoundError } from "../store/errors.js";
import type { AttachmentStore } from "../store/store.js";
import type { ChatKitServer } from "./chatkit-server.js";
import { RequestError } from "./errors.js";

const DEFAULT_PAGE_SIZE = 20;

function requireAttachmentStore<TContext>(server: ChatKitServer<TContext>): AttachmentStore<TContext> {
  if (!server.attachmentStore) {
    throw new RequestError(400, "Attachments are not supported by this server: no attachmentStore is configured");
  }
  return server.attachmentStore;
}

/**
 * Ids of the attachments of a thread's user messages; none for a thread `context` may not see,
 * so that no one deletes another user's files through a thread id.
 */
async function threadAttachmentIds<TContext>(
  server: ChatKitServer<TContext>,
  threadId: string,
  context: TContext,
): Promise<string[]> {
  try {
    await server.store.loadThread(threadId, context);
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  const ids = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await server.store.loadThreadItems(threadId, after, 100, "asc", context);
    for (const item of page.data) {
      if (item.type === "user_message") for (const attachment of item.attachments) ids.add(attachment.id);
    }
    if (!page.has_more || page.after == null) return [...ids];
    after = page.after;
  }
}

/** Answers a non-streaming request with its JSON body (protocol.md §2.7–2.16). */
export async function handleNonStreamingRequest<TContext>(
  server: ChatKitServer<TContext>,
  request: NonStreamingRequest,
  context: TContext,
): Promise<string> {
  const { store } = server;
  switch (request.type) {
    case "threads.get_by_id": {
      const { thread_id } = request.params;
      await server.cleanups.settled(thread_id);
      const thread = await store.loadThread(thread_id, context);
      const items = await store.loadThreadItems(thread_id, undefined, DEFAULT_PAGE_SIZE, "asc", context);
      return JSON.stringify(toWireThread(thread, toWirePage(items)));
    }
    case "threads.list": {
      const { limit, after, order } = request.params;
      const page = await store.loadThreads(limit || DEFAULT_PAGE_SIZE, after, order, context);
      return JSON.stringify({ ...page, data: page.data.map((thread) => toWireThread(thread)) });
    }
    case "threads.update": {
      const { thread_id, title } = request.params;
      const thread = await store.loadThread(thread_id, context);
      thread.title = title;
      await store.saveThread(thread, context);
      return JSON.stringify(toWireThread(thread));
    }
    case "threads.delete": {
      const { thread_id } = request.params;
      // The attachments go with the thread, before it: if this fails half-way, the thread still
      // lists them and a retry finishes the job.
      const { attachmentStore } = server;
      if (attachmentStore) {
        for (const id of await threadAttachmentIds(server, thread_id, context)) {
          await attachmentStore.deleteAttachment(id, context);
          await store.deleteAttachment(id, context);
        }
      }
      await store.deleteThread(thread_id, context);
      return "{}";
    }
    case "threads.sync_custom_action": {
      const { thread_id, item_id, action } = request.params;
      const thread = await store.loadThread(thread_id, context);
      const sender = item_id ? await store.loadItem(thread_id, item_id, context) : null;
      if (sender && sender.type !== "widget") {
        throw new RequestError(400, "threads.sync_custom_action requires a widget sender item");
      }
      const response = await server.syncAction(thread, action, sender, context);
      if (!response.updated_item) return "{}";
      // Saved, so that a reload shows the widget the user now sees (Python does not save it).
      await store.saveItem(thread_id, response.updated_item, context);
      return JSON.stringify({ updated_item: toWireItem(response.updated_item) });
    }
    case "items.list": {
      const { thread_id, limit, after, order } = request.params;
      await server.cleanups.settled(thread_id);
      const page = await store.loadThreadItems(thread_id, after, limit || DEFAULT_PAGE_SIZE, order, context);
      return JSON.stringify(toWirePage(page));
    }
    case "items.feedback": {
      const { thread_id, item_ids, kind } = request.params;
      // Only on the context's own thread and items: 404 (NotFoundError) otherwise.
      await store.loadThread(thread_id, context);
      for (const itemId of new Set(item_ids)) await store.loadItem(thread_id, itemId, context);
      await server.addFeedback(thread_id, item_ids, kind, context);
      return "{}";
    }
    case "attachments.create": {
      const attachmentStore = requireAttachmentStore(server);
      const attachment = await attachmentStore.createAttachment(request.params, context);
      // An insert: an id that exists (a broken id generator) is a 409, never an overwrite.
      await store.addAttachment(attachment, context);
      return JSON.stringify(toWireAttachment(attachment));
    }
    case "attachments.delete": {
      const attachmentStore = requireAttachmentStore(server);
      const { attachment_id } = request.params;
      // Only an attachment this context can see: nobody deletes another user's bytes by id.
      try {
        await store.loadAttachment(attachment_id, context);
      } catch (error) {
        if (error instanceof NotFoundError) return "{}";
        throw error;
      }
      await attachmentStore.deleteAttachment(attachment_id, context);
      await store.deleteAttachment(attachment_id, context);
      return "{}";
    }
    case "input.transcribe": {
      const { audio_base64, mime_type } = request.params;
      const data = new Uint8Array(Buffer.from(audio_base64, "base64"));
      const media_type = mime_type.split(";", 1)[0]!;
      const result = await server.transcribe({ data, mime_type, media_type }, context);
      return JSON.stringify({ text: result.text });
    }
  }
}
