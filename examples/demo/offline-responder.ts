/**
 * The demo's built-in responder, used when no OPENAI_API_KEY is set: it plays a scripted turn
 * that exercises most of the protocol — a workflow of tasks, a long markdown answer streamed word
 * by word (slow enough to press Stop), and a small widget — without any network access.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type {
  AssistantMessageItem,
  Attachment,
  AttachmentStore,
  CustomTask,
  Store,
  ThreadMetadata,
  ThreadStreamEvent,
  Turn,
  UserMessageItem,
  WidgetItem,
  WidgetRoot,
  WorkflowItem,
} from "../../src/index.js";

/** Everything a responder needs besides the hook arguments. */
export interface ResponderHost<TContext> {
  store: Store<TContext>;
  /** Where attachment bytes live, when the server has attachments (the agent reads them). */
  attachmentStore?: AttachmentStore<TContext> | undefined;
}

/** A pluggable `respond` body, so the demo server can switch between offline and agent answers. */
export type Responder<TContext> = (
  host: ResponderHost<TContext>,
  thread: ThreadMetadata,
  input: UserMessageItem | null,
  context: TContext,
  turn: Turn,
) => AsyncIterable<ThreadStreamEvent>;

/** Options of `offlineResponder`. */
export interface OfflineResponderOptions {
  /** Milliseconds between two words of the answer; default 40 (the brief asks for 30–50). */
  wordDelayMs?: number;
  /** Milliseconds each workflow task "works"; default 250. */
  taskDelayMs?: number;
}

/** The tasks shown in the workflow, in order. */
export const OFFLINE_TASKS = ["Read the question", "Look through the notes", "Draft the answer"] as const;

/** The text of the user's message, its parts joined. */
export function inputText(input: UserMessageItem | null): string {
  return (input?.content ?? []).map((part) => part.text).join(" ").trim();
}

/**
 * A thread title from the first message: its first line, cut at a word near 40 characters. Cut
 * by code points, so an emoji is never split in two (a lone surrogate cannot be stored).
 */
export function titleFrom(text: string): string {
  const line = Array.from(text.split("\n")[0]!.trim() || "New chat");
  if (line.length <= 40) return line.join("");
  const cut = line.slice(0, 40);
  const space = cut.lastIndexOf(" ");
  return `${(space > 20 ? cut.slice(0, space) : cut).join("")}…`;
}

/** Markdown-safe text: drops the characters that would start emphasis or code. */
const plain = (text: string) => text.replace(/[*_`]/g, "");

/**
 * The line that proves the server received the attachments, e.g.
 * `You attached: photo.png (image/png).`; empty without attachments.
 */
export function attachmentsLine(attachments: readonly Pick<Attachment, "name" | "mime_type">[]): string {
  if (!attachments.length) return "";
  return `You attached: ${attachments.map((attachment) => `${plain(attachment.name)} (${attachment.mime_type})`).join(", ")}.`;
}

/**
 * The markdown answer to `question` (and its attachments). Long on purpose (well over a hundred
 * words) so that the stream lasts a few seconds and Stop can land in the middle of it.
 */
export function offlineAnswer(question: string, attachments: readonly Pick<Attachment, "name" | "mime_type">[] = []): string {
  const asked = question ? `You asked: *${plain(question)}*` : attachments.length ? "You sent no text" : "You sent an empty message";
  const attached = attachmentsLine(attachments);
  return [
    `## Offline demo answer`,
    ``,
    ...(attached ? [attached, ``] : []),
    `${asked}. No OPENAI_API_KEY is set, so this server answers with a scripted response instead of a model. It still travels the real wire protocol, event by event, exactly as a model answer would.`,
    ``,
    `### What just happened`,
    ``,
    `- The server created or loaded the thread and stored your message.`,
    `- A **workflow** item showed its tasks one by one, then closed with a summary.`,
    `- This **assistant message** is arriving as text deltas, one word at a time.`,
    `- A small **widget** will follow, a Card with a Text and a Button.`,
    ``,
    `### Things to try`,
    ``,
    `1. Press **Stop** while this text is still growing. The stream ends at once, the words you saw are kept, and the next turn continues normally.`,
    `2. Reload the page and open the thread again from the history: the partial answer is still there.`,
    `3. Use **Retry** to answer the last message again, or rename and delete threads.`,
    ``,
    `Set OPENAI_API_KEY and restart the server to get real answers from an agent built with the OpenAI Agents SDK. That is the end of this answer.`,
  ].join("\n");
}

/** Splits text into the deltas streamed: each word with the whitespace that follows it. */
export function wordDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** The widget shown at the end of an offline answer. */
export function offlineWidget(question: string): WidgetRoot {
  return {
    type: "Card",
    size: "sm",
    children: [
      { type: "Title", value: "Offline demo", size: "sm" },
      { type: "Text", id: "summary", value: `Answered "${titleFrom(question)}" without a model.` },
      { type: "Button", label: "Say hello", style: "primary", onClickAction: { type: "demo.hello", payload: { from: "widget" } } },
    ],
  };
}

const now = () => new Date().toISOString();

/** Waits `ms`; resolves false instead of waiting out the delay when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false; // aborted: Stop was pressed or the client went away
  }
}

/**
 * A responder that needs no model: workflow → streamed markdown → widget, and a thread title
 * from the first message. Honours `turn.signal`, so Stop ends it within one word.
 */
export function offlineResponder<TContext>(options: OfflineResponderOptions = {}): Responder<TContext> {
  const wordDelayMs = options.wordDelayMs ?? 40;
  const taskDelayMs = options.taskDelayMs ?? 250;

  return async function* respond(host, thread, input, context, turn) {
    const { signal } = turn;
    const question = inputText(input);
    // Set first, so even a cancelled first turn leaves a titled thread in the history.
    if (!thread.title) thread.title = titleFrom(question);

    // 1. A workflow whose tasks appear one by one (loading, then complete).
    const started = Date.now();
    const workflow: WorkflowItem = {
      type: "workflow",
      id: host.store.generateItemId("workflow", thread, context),
      thread_id: thread.id,
      created_at: now(),
      workflow: { type: "custom", tasks: [], expanded: true },
    };
    yield { type: "thread.item.added", item: structuredClone(workflow) };
    for (const [index, title] of OFFLINE_TASKS.entries()) {
      const task: CustomTask = { type: "custom", title, icon: "check-circle", status_indicator: "loading" };
      yield { type: "thread.item.updated", item_id: workflow.id, update: { type: "workflow.task.added", task_index: index, task } };
      if (!(await pause(taskDelayMs, signal))) return;
      const complete: CustomTask = { ...task, status_indicator: "complete" };
      workflow.workflow.tasks.push(complete);
      yield { type: "thread.item.updated", item_id: workflow.id, update: { type: "workflow.task.updated", task_index: index, task: complete } };
    }
    const duration = Math.max(1, Math.round((Date.now() - started) / 1000));
    yield { type: "thread.item.done", item: { ...workflow, workflow: { ...workflow.workflow, summary: { duration }, expanded: false } } };

    // 2. The answer, word by word.
    const message: AssistantMessageItem = {
      type: "assistant_message",
      id: host.store.generateItemId("message", thread, context),
      thread_id: thread.id,
      created_at: now(),
      content: [],
    };
    yield { type: "thread.item.added", item: structuredClone(message) };
    yield {
      type: "thread.item.updated",
      item_id: message.id,
      update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } },
    };
    let text = "";
    for (const delta of wordDeltas(offlineAnswer(question, input?.attachments ?? []))) {
      if (!(await pause(wordDelayMs, signal))) return;
      text += delta;
      yield { type: "thread.item.updated", item_id: message.id, update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta } };
    }
    const part = { type: "output_text" as const, text, annotations: [] };
    yield { type: "thread.item.updated", item_id: message.id, update: { type: "assistant_message.content_part.done", content_index: 0, content: part } };
    yield { type: "thread.item.done", item: { ...message, content: [part] } };

    // 3. A widget, sent whole.
    const widget: WidgetItem = {
      type: "widget",
      id: host.store.generateItemId("message", thread, context),
      thread_id: thread.id,
      created_at: now(),
      widget: offlineWidget(question),
      copy_text: "Offline demo widget",
    };
    yield { type: "thread.item.done", item: widget };
  };
}
