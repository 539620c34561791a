import type { Attachment } from "../protocol/attachment.js";
import type { ThreadStreamEvent } from "../protocol/events.js";
import type { ThreadItem, UserMessageItem } from "../protocol/items.js";
import type { StreamingRequest, UserMessageInput } from "../protocol/requests.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import { toWireThread } from "../protocol/wire.js";
import type { ChatKitServer } from "./chatkit-server.js";
import { RequestError } from "./errors.js";
import { handlerEvents } from "./handler-output.js";
import { answerStructuredInput } from "./structured-input.js";
import type { TurnPlan, TurnStart } from "./turn-stream.js";
import type { Turn } from "./turn.js";

const now = () => new Date().toISOString();

/**
 * Pre-flight for a streaming request: validates its state and loads what it names, throwing a
 * `RequestError` or `NotFoundError` before anything is written. Returns the plan of the stream,
 * whose writes run when the stream is first read. `threadId` is the thread whose lock the turn
 * holds: for `threads.create`, the id of the thread to create.
 */
export async function prepareStream<TContext>(
  server: ChatKitServer<TContext>,
  request: StreamingRequest,
  context: TContext,
  turn: Turn,
  threadId: string,
): Promise<TurnPlan> {
  const { store } = server;
  const respond = (thread: ThreadMetadata, input: UserMessageItem | null) => ({
    thread,
    handler: () => server.respond(thread, input, context, turn),
  });

  switch (request.type) {
    case "threads.create": {
      const { input } = request.params;
      const attachments = await loadAttachments(server, input, context);
      return plan(async () => {
        const thread: ThreadMetadata = {
          id: threadId,
          created_at: now(),
          status: { type: "active" },
          metadata: {},
        };
        const message = userMessage(server, thread, input, attachments, context);
        // All or nothing: a failure leaves no thread behind; an id that exists merges nothing.
        await store.createThread(thread, { attachments: message.attachments, items: [message] }, context);
        const created: ThreadStreamEvent = { type: "thread.created", thread: toWireThread(thread) };
        return { events: [created, { type: "thread.item.done", item: message }], turn: respond(thread, message) };
      });
    }

    case "threads.add_user_message": {
      const { thread_id, input } = request.params;
      const thread = await store.loadThread(thread_id, context);
      const attachments = await loadAttachments(server, input, context);
      return plan(async () => {
        const message = await addUserMessage(server, thread, input, attachments, context);
        return { events: [{ type: "thread.item.done", item: message }], turn: respond(thread, message) };
      });
    }

    case "threads.add_client_tool_output": {
      const { thread_id, result } = request.params;
      const thread = await store.loadThread(thread_id, context);
      const newest = (await store.loadThreadItems(thread_id, undefined, 1, "desc", context)).data[0];
      if (newest?.type !== "client_tool_call" || newest.status !== "pending") {
        throw new RequestError(409, `The last item of thread ${thread_id} is not a pending client tool call`);
      }
      return plan(async () => {
        await store.saveItem(thread_id, { ...newest, status: "completed", output: result ?? undefined }, context);
        // Calls the client never answered are stale now (Python drops them the same way).
        const recent = await store.loadThreadItems(thread_id, undefined, 20, "desc", context);
        for (const item of recent.data) {
          if (item.type === "client_tool_call" && item.status === "pending" && item.id !== newest.id) {
            server.logger.warn(`Client tool call ${item.id} was not completed, ignoring`);
            await store.deleteThreadItem(thread_id, item.id, context);
          }
        }
        return { events: [], turn: respond(thread, null) };
      });
    }

    case "threads.add_structured_input": {
      const { thread_id, item_id, input } = request.params;
      const thread = await store.loadThread(thread_id, context);
      const item = await store.loadItem(thread_id, item_id, context);
      if (item.type !== "structured_input") {
        throw new RequestError(400, `Item ${item_id} is not a structured input`);
      }
      if (item.status !== "pending") {
        throw new RequestError(409, `Structured input item ${item_id} is not pending`);
      }
      const answered = answerStructuredInput(item, input);
      // The answered item goes through the pipeline first, so it is saved like any replacement.
      return plan(async () => ({
        events: [],
        turn: {
          thread,
          handler: async function* () {
            yield { type: "thread.item.replaced", item: answered } satisfies ThreadStreamEvent;
            yield* await handlerEvents(server.respond(thread, null, context, turn));
          },
        },
      }));
    }

    case "threads.retry_after_item": {
      const { thread_id, item_id } = request.params;
      const thread = await store.loadThread(thread_id, context);
      const { target, newer } = await findRetryTarget(server, thread_id, item_id, context);
      return plan(async () => {
        for (const item of newer) await store.deleteThreadItem(thread_id, item.id, context);
        return { events: [], turn: respond(thread, target) };
      });
    }

    case "threads.custom_action": {
      const { thread_id, item_id, action } = request.params;
      const thread = await store.loadThread(thread_id, context);
      const sender = item_id ? await store.loadItem(thread_id, item_id, context) : null;
      if (sender && sender.type !== "widget") {
        // As Python: a lone error event, no stream_options, the hook is not called.
        return plan(async () => ({ events: [{ type: "error", code: "stream.error", allow_retry: false }] }));
      }
      return plan(async () => ({
        events: [],
        turn: { thread, handler: () => server.action(thread, action, sender, context, turn) },
      }));
    }
  }
}

const plan = (start: () => Promise<TurnStart>): TurnPlan => ({ start });

function loadAttachments<TContext>(
  server: ChatKitServer<TContext>,
  input: UserMessageInput,
  context: TContext,
): Promise<Attachment[]> {
  return Promise.all(input.attachments.map((id) => server.store.loadAttachment(id, context)));
}

/** The user's message, its attachments linked to the thread. */
function userMessage<TContext>(
  server: ChatKitServer<TContext>,
  thread: ThreadMetadata,
  input: UserMessageInput,
  attachments: Attachment[],
  context: TContext,
): UserMessageItem {
  return {
    type: "user_message",
    id: server.store.generateItemId("message", thread, context),
    thread_id: thread.id,
    created_at: now(),
    content: input.content,
    attachments: attachments.map((attachment) => ({ ...attachment, thread_id: thread.id })),
    quoted_text: input.quoted_text,
    inference_options: input.inference_options,
  };
}

/** Saves the user's message, linking its attachments to the thread. */
async function addUserMessage<TContext>(
  server: ChatKitServer<TContext>,
  thread: ThreadMetadata,
  input: UserMessageInput,
  attachments: Attachment[],
  context: TContext,
): Promise<UserMessageItem> {
  const { store } = server;
  const message = userMessage(server, thread, input, attachments, context);
  for (const attachment of message.attachments) await store.saveAttachment(attachment, context);
  await store.addThreadItem(thread.id, message, context);
  return message;
}

/** The user message to retry from, and every item after it (to delete). */
async function findRetryTarget<TContext>(
  server: ChatKitServer<TContext>,
  threadId: string,
  itemId: string,
  context: TContext,
): Promise<{ target: UserMessageItem; newer: ThreadItem[] }> {
  const newer: ThreadItem[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await server.store.loadThreadItems(threadId, after, 20, "desc", context);
    for (const item of page.data) {
      if (item.id !== itemId) {
        newer.push(item);
        continue;
      }
      if (item.type !== "user_message") throw new RequestError(400, `Item ${itemId} is not a user message`);
      return { target: item, newer };
    }
    if (!page.has_more || !page.after) break;
    after = page.after;
  }
  throw new RequestError(404, `Item ${itemId} not found in thread ${threadId}`);
}
