/**
 * A ChatKit server that streams a widget and handles its buttons.
 * Run: `npx tsx examples/widget-server.ts` (node:http on :8788), then point a ChatKit client at
 * http://localhost:8788/chatkit.
 *
 * - Each message gets a draft email Card whose body streams in (text deltas, via `streamWidget`).
 * - "Send" is a streaming action (`threads.custom_action`): the card is replaced by a confirmation.
 * - "Discard" is a sync action (`streaming: false`): it answers JSON and may run mid-stream.
 */
import http from "node:http";
import { z } from "zod";
import {
  ChatKitServer,
  InMemoryStore,
  toNodeHandler,
  type Action,
  type SyncCustomActionResponse,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
  type WidgetItem,
} from "../src/index.js";
import { actionConfig, Button, Card, Markdown, Row, streamWidget, Text, Title, type WidgetRoot } from "../src/widgets/index.js";

type Context = { userId: string };

/** The actions our widgets fire. The payload is untrusted input, so it is parsed, not cast. */
const EmailAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("email.send"), payload: z.object({ to: z.string() }) }),
  z.object({ type: z.literal("email.discard"), payload: z.object({ to: z.string() }) }),
]);

const draft = (to: string, body: string, streaming: boolean): WidgetRoot =>
  Card({
    children: [
      Title({ value: `Email to ${to}`, size: "sm" }),
      // The id addresses the text deltas; streaming: true animates the growing text.
      Markdown({ id: "body", value: body, streaming }),
      Row({
        gap: 2,
        children: [
          Button({ label: "Send", onClickAction: actionConfig("email.send", { to }), iconStart: "mail" }),
          Button({
            label: "Discard",
            variant: "outline",
            onClickAction: actionConfig("email.discard", { to }, { streaming: false }),
          }),
        ],
      }),
    ],
  });

const settled = (text: string): WidgetRoot => Card({ collapsed: true, children: [Text({ value: text, color: "secondary" })] });

export class WidgetServer extends ChatKitServer<Context> {
  async *respond(thread: ThreadMetadata, input: UserMessageItem | null, context: Context, turn: Turn): AsyncIterable<ThreadStreamEvent> {
    const topic = input?.content.map((part) => part.text).join(" ") ?? "";
    const words = `Hi Pam, a quick note about **${topic || "the project"}**: all good on my side. Cheers!`.split(" ");
    // Successive frames of one widget, as a model would produce them; streamWidget diffs them.
    async function* frames() {
      yield draft("pam@example.com", "", true);
      for (let n = 1; n <= words.length; n++) {
        if (turn.signal.aborted) return; // Stop pressed: what was streamed so far is kept
        yield draft("pam@example.com", words.slice(0, n).join(" "), true);
      }
      // Ending the animation changes a prop, so this last frame goes out as one root update.
      yield draft("pam@example.com", words.join(" "), false);
    }
    yield* streamWidget(thread, frames(), {
      copyText: "Draft email",
      generateId: () => this.store.generateItemId("message", thread, context),
    });
  }

  override async *action(thread: ThreadMetadata, action: Action, sender: WidgetItem | null, context: Context): AsyncIterable<ThreadStreamEvent> {
    const parsed = EmailAction.safeParse(action);
    if (!parsed.success || parsed.data.type !== "email.send" || !sender) return;
    // Replace the sender's widget; the server also saves the update on the stored item.
    yield {
      type: "thread.item.updated",
      item_id: sender.id,
      update: { type: "widget.root.updated", widget: settled(`Sent to ${parsed.data.payload.to}.`) },
    };
    yield {
      type: "thread.item.done",
      item: {
        type: "assistant_message",
        id: this.store.generateItemId("message", thread, context),
        thread_id: thread.id,
        created_at: new Date().toISOString(),
        content: [{ type: "output_text", text: "Done, the email is on its way.", annotations: [] }],
      },
    };
  }

  override async syncAction(_thread: ThreadMetadata, action: Action, sender: WidgetItem | null): Promise<SyncCustomActionResponse> {
    const parsed = EmailAction.safeParse(action);
    if (!parsed.success || parsed.data.type !== "email.discard" || !sender) return {};
    return { updated_item: { ...sender, widget: settled("Draft discarded.") } };
  }
}

export const server = new WidgetServer({ store: new InMemoryStore<Context>({ owner: (ctx) => ctx.userId }) });
export const nodeHandler = toNodeHandler(server, { context: (req) => ({ userId: String(req.headers["x-user-id"] ?? "demo") }) });

if (import.meta.url === `file://${process.argv[1]}`) {
  http
    .createServer((req, res) => void nodeHandler(req, res))
    .listen(8788, () => console.log("ChatKit endpoint: http://localhost:8788/chatkit"));
}
