import type { GeneratedFile, TextStreamPart, ToolSet, TypedToolCall, TypedToolResult } from "ai";
import type {
  Annotation,
  AssistantMessageItem,
  ClientToolCallItem,
  GeneratedImageItem,
  Source,
  Store,
  StoreItemType,
  Task,
  ThreadMetadata,
  ThreadStreamEvent,
  ThoughtTask,
  WorkflowItem,
} from "../index.js";
import { streamWidget, type WidgetRoot } from "../widgets/index.js";
import { finishWorkflow } from "../server/workflow-end.js";
import { sameCitation } from "./sources.js";

/** A `tool-call` part of the AI SDK's full stream. */
export type StreamToolCall<TOOLS extends ToolSet = ToolSet> = { type: "tool-call" } & TypedToolCall<TOOLS>;
/** A `tool-result` part of the AI SDK's full stream. */
export type StreamToolResult<TOOLS extends ToolSet = ToolSet> = { type: "tool-result" } & TypedToolResult<TOOLS>;
/** A `source` part of the AI SDK's full stream: a URL or a document the model cites. */
export type StreamSource = Extract<TextStreamPart<ToolSet>, { type: "source" }>;

type Awaitable<T> = T | PromiseLike<T>;
/** A task shown for a tool call; the bridge sets its `status_indicator` (loading, then complete). */
export type ToolTask = Task extends infer T ? (T extends Task ? Omit<T, "status_indicator"> & { status_indicator?: T["status_indicator"] } : never) : never;
/** What `toolWidget` returns: one widget, successive frames of one widget, or nothing. */
export type ToolWidget = WidgetRoot | AsyncIterable<WidgetRoot> | null | undefined;

/** @internal The resolved options the mapper works with. */
export interface MapperSettings<TOOLS extends ToolSet, TContext> {
  store: Store<TContext>;
  context: TContext;
  toolTask: false | ((call: StreamToolCall<TOOLS>) => ToolTask | null | undefined);
  toolWidget: ((result: StreamToolResult<TOOLS>) => Awaitable<ToolWidget>) | undefined;
  convertSource: (source: StreamSource) => Source | null | undefined;
  imageUrl: (file: GeneratedFile, imageId: string) => Awaitable<string>;
}

/** A text block of the model: one assistant message, announced at its first text. */
interface Message {
  id: string;
  createdAt: string;
  text: string;
  annotations: Annotation[];
  announced: boolean;
}

const now = () => new Date().toISOString();
/** What most parts give: no event (shared, never written to). */
const NO_EVENTS: readonly ThreadStreamEvent[] = [];
/** Whole seconds since `createdAt`, truncated. */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * @internal The per-call state of `streamTextResponse` and the translation of the AI SDK's
 * stream parts into ChatKit events. Every event holds fresh objects or snapshots, so a consumer
 * that collects events never sees them change.
 *
 * - A text block is one assistant message, announced (`added` + an empty part) at its first
 *   non-empty delta, so empty blocks show nothing. Its `done` waits until something else
 *   happens in the step, so sources the provider sends right after the text still reach it.
 * - Reasoning opens a reasoning workflow (or joins the open one); each reasoning block is a
 *   thought, streamed. Server tool calls are tasks of the open workflow (a custom one is opened
 *   when none is): loading at the call, complete at the result.
 * - A message, an image or a widget ends the open workflow, with its duration as summary.
 * - A tool call still without a result when the stream ends was meant for the client (a tool
 *   without `execute`): the turn ends with it as a pending `client_tool_call`.
 */
export class TextStreamMapper<TOOLS extends ToolSet, TContext> {
  readonly #thread: ThreadMetadata;
  readonly #settings: MapperSettings<TOOLS, TContext>;
  /** Open text blocks by the provider's block id (ids repeat across steps, never while open). */
  readonly #messages = new Map<string, Message>();
  /** An ended text block whose `done` waits for the next thing that happens. */
  #ended: Message | undefined;
  /** Sources that came while no message was open: they go to the next one. */
  #heldSources: Annotation[] = [];
  #workflow: WorkflowItem | null = null;
  /** The thought task each open reasoning block streams into. */
  readonly #thoughts = new Map<string, ThoughtTask>();
  /** Tool tasks by call id, in the workflow that was open when the call came. */
  readonly #toolTasks = new Map<string, { workflowId: string; index: number }>();
  /** Tool calls without a result yet, in call order. */
  readonly #unanswered = new Map<string, StreamToolCall<TOOLS>>();
  /** This step's tool results, whose widgets show when the step finishes. */
  #stepResults: StreamToolResult<TOOLS>[] = [];
  #out: ThreadStreamEvent[] = [];

  constructor(thread: ThreadMetadata, settings: MapperSettings<TOOLS, TContext>) {
    this.#thread = thread;
    this.#settings = settings;
  }

  #id(type: StoreItemType): string {
    return this.#settings.store.generateItemId(type, this.#thread, this.#settings.context);
  }

  /** The events gathered since the last call. */
  #take(): readonly ThreadStreamEvent[] {
    const out = this.#out;
    if (out.length === 0) return NO_EVENTS;
    this.#out = [];
    return out;
  }

  /**
   * A turn that resumes after a client tool call continues the workflow stored at the end of
   * the previous turn (the newest item, or the one before the `client_tool_call`); the tasks
   * still loading there were waiting for the client, which has answered now.
   */
  async start(): Promise<readonly ThreadStreamEvent[]> {
    const { store, context } = this.#settings;
    const page = await store.loadThreadItems(this.#thread.id, undefined, 2, "desc", context);
    const [newest, previous] = page.data;
    let workflow: WorkflowItem | undefined;
    if (newest?.type === "workflow") workflow = newest;
    else if (newest?.type === "client_tool_call" && previous?.type === "workflow") workflow = previous;
    if (!workflow || workflow.workflow.summary !== undefined) return NO_EVENTS;
    this.#workflow = workflow;
    workflow.workflow.tasks.forEach((task, index) => {
      if (task.status_indicator === "loading") this.#updateTask(index, { ...task, status_indicator: "complete" });
    });
    return this.#take();
  }

  /** The hot path: a text delta of an open block. */
  textDelta(blockId: string, delta: string): ThreadStreamEvent | readonly ThreadStreamEvent[] | undefined {
    const message = this.#messages.get(blockId);
    if (!message || delta === "") return undefined;
    const announce = !message.announced;
    if (announce) this.#announce(message);
    message.text += delta;
    const event: ThreadStreamEvent = {
      type: "thread.item.updated",
      item_id: message.id,
      update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta },
    };
    if (!announce) return event;
    this.#out.push(event);
    return this.#take();
  }

  /** Every other part that needs no I/O. */
  part(part: TextStreamPart<TOOLS>): readonly ThreadStreamEvent[] {
    switch (part.type) {
      case "text-start":
        this.#flushEnded();
        this.#messages.set(part.id, this.#newMessage());
        break;
      case "text-end":
        this.#textEnd(part.id, (part as { citations?: unknown }).citations);
        break;
      case "reasoning-start":
        this.#flushEnded();
        this.#workflow ??= this.#openWorkflow("reasoning");
        break;
      case "reasoning-delta":
        this.#thoughtDelta(part.id, part.text);
        break;
      case "reasoning-end":
        this.#thoughts.delete(part.id);
        break;
      case "source":
        this.#source(part);
        break;
      case "tool-call":
        this.#toolCall(part);
        break;
      case "tool-result":
        if (part.preliminary) break;
        this.#toolSettled(part.toolCallId, "complete");
        if (this.#settings.toolWidget) this.#stepResults.push(part);
        break;
      case "tool-error":
      case "tool-output-denied":
        this.#toolSettled(part.toolCallId, "none");
        break;
      case "tool-approval-request":
        // Waits for an approval ChatKit cannot ask for: not a client tool call.
        this.#unanswered.delete(part.toolCall.toolCallId);
        break;
    }
    return this.#take();
  }

  /** A generated file: an image becomes a `generated_image` item; other files are not shown. */
  async *file(file: GeneratedFile): AsyncGenerator<ThreadStreamEvent, void, undefined> {
    if (!file.mediaType.startsWith("image/")) return;
    this.#flushEnded();
    this.#endWorkflow();
    const item: GeneratedImageItem = { type: "generated_image", id: this.#id("message"), thread_id: this.#thread.id, created_at: now() };
    this.#out.push({ type: "thread.item.added", item: { ...item } });
    yield* this.#take();
    const url = await this.#settings.imageUrl(file, item.id);
    yield { type: "thread.item.done", item: { ...item, image: { id: item.id, url } } };
  }

  /**
   * The end of a step: the message it ended with is done, then the widgets of its tool results
   * show (after all of them, so no widget ends a workflow whose other tools are still running).
   */
  async *finishStep(): AsyncGenerator<ThreadStreamEvent, void, undefined> {
    this.#flushEnded();
    yield* this.#take();
    const results = this.#stepResults;
    this.#stepResults = [];
    const render = this.#settings.toolWidget;
    if (!render) return;
    for (const result of results) {
      const widget = await render(result);
      if (!widget) continue;
      this.#endWorkflow();
      yield* this.#take();
      yield* streamWidget(this.#thread, widget, { generateId: () => this.#id("message") });
    }
  }

  /**
   * The normal end: unfinished messages are done; if a tool call waits for the client, the open
   * workflow is stored as it is (the next turn continues it) and the turn ends with the pending
   * `client_tool_call`; otherwise the open workflow ends.
   */
  async *end(): AsyncGenerator<ThreadStreamEvent, void, undefined> {
    for (const blockId of [...this.#messages.keys()]) this.#textEnd(blockId, undefined);
    yield* this.finishStep();
    const call = this.#clientCall();
    const workflow = this.#workflow;
    if (call && workflow) {
      // No event: the client keeps it open until the turn that gets the tool's output ends it.
      const { store, context } = this.#settings;
      await store.addThreadItem(this.#thread.id, structuredClone(workflow), context);
      this.#workflow = null;
    } else this.#endWorkflow();
    if (call) {
      const item: ClientToolCallItem = {
        type: "client_tool_call",
        id: this.#id("tool_call"),
        thread_id: this.#thread.id,
        created_at: now(),
        status: "pending",
        call_id: call.toolCallId,
        name: call.toolName,
        arguments: isRecord(call.input) ? structuredClone(call.input) : { input: structuredClone(call.input) },
      };
      this.#out.push({ type: "thread.item.done", item });
    }
    yield* this.#take();
  }

  /** The first tool call no one answered: the one the client runs (ChatKit resumes one per turn). */
  #clientCall(): StreamToolCall<TOOLS> | undefined {
    for (const call of this.#unanswered.values()) return call;
    return undefined;
  }

  // ---- messages ----

  #newMessage(): Message {
    const message: Message = { id: "", createdAt: "", text: "", annotations: this.#heldSources, announced: false };
    this.#heldSources = [];
    return message;
  }

  /** `added` and an empty part, after ending the open workflow; then the annotations held so far. */
  #announce(message: Message): void {
    this.#endWorkflow();
    message.announced = true;
    message.id = this.#id("message");
    message.createdAt = now();
    const item: AssistantMessageItem = { type: "assistant_message", id: message.id, thread_id: this.#thread.id, created_at: message.createdAt, content: [] };
    this.#out.push(
      { type: "thread.item.added", item },
      {
        type: "thread.item.updated",
        item_id: message.id,
        update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } },
      },
    );
    message.annotations.forEach((annotation, index) => this.#annotationAdded(message, annotation, index));
  }

  #annotationAdded(message: Message, annotation: Annotation, index: number): void {
    this.#out.push({
      type: "thread.item.updated",
      item_id: message.id,
      update: { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: index, annotation: structuredClone(annotation) },
    });
  }

  /** Citations that come with the end of the block (AI SDK 7) join its annotations. */
  #textEnd(blockId: string, citations: unknown): void {
    const message = this.#messages.get(blockId);
    if (!message) return;
    this.#messages.delete(blockId);
    this.#flushEnded();
    if (Array.isArray(citations)) {
      for (const citation of citations) {
        if (!isRecord(citation) || !isRecord(citation.source)) continue;
        const index = typeof citation.endIndex === "number" ? citation.endIndex : undefined;
        this.#annotate(message, citation.source as StreamSource, index);
      }
    }
    if (!message.announced) {
      // No text, nothing shown: its sources go to the next message.
      this.#heldSources.push(...message.annotations);
      return;
    }
    this.#out.push({
      type: "thread.item.updated",
      item_id: message.id,
      update: { type: "assistant_message.content_part.done", content_index: 0, content: this.#content(message) },
    });
    this.#ended = message;
  }

  /** The `done` of the ended message, if one waits. */
  #flushEnded(): void {
    const message = this.#ended;
    if (!message) return;
    this.#ended = undefined;
    const item: AssistantMessageItem = {
      type: "assistant_message",
      id: message.id,
      thread_id: this.#thread.id,
      created_at: message.createdAt,
      content: [this.#content(message)],
    };
    this.#out.push({ type: "thread.item.done", item });
  }

  #content(message: Message) {
    return { type: "output_text" as const, text: message.text, annotations: structuredClone(message.annotations) };
  }

  /**
   * A source cites the message being written, at the current end of its text; the message that
   * just ended, at its end; or, when there is neither, the next message (without a position).
   */
  #source(source: StreamSource): void {
    let message: Message | undefined;
    for (const open of this.#messages.values()) message = open;
    message ??= this.#ended;
    if (message) this.#annotate(message, source, message.announced ? message.text.length : undefined);
    else {
      const converted = this.#settings.convertSource(source);
      if (converted && !this.#heldSources.some((held) => sameCitation(held, { source: converted }))) {
        this.#heldSources.push({ type: "annotation", source: converted });
      }
    }
  }

  #annotate(message: Message, source: StreamSource, index: number | undefined): void {
    const converted = this.#settings.convertSource(source);
    if (!converted) return;
    const annotation: Annotation = index === undefined ? { type: "annotation", source: converted } : { type: "annotation", source: converted, index };
    if (message.annotations.some((existing) => sameCitation(existing, annotation))) return;
    message.annotations.push(annotation);
    if (message.announced) this.#annotationAdded(message, annotation, message.annotations.length - 1);
  }

  // ---- workflows ----

  #openWorkflow(type: "reasoning" | "custom", tasks: Task[] = []): WorkflowItem {
    const item: WorkflowItem = {
      type: "workflow",
      id: this.#id("workflow"),
      thread_id: this.#thread.id,
      created_at: now(),
      workflow: { type, tasks, expanded: false },
    };
    this.#out.push({ type: "thread.item.added", item: structuredClone(item) });
    return item;
  }

  /** Ends the open workflow, collapsed, with its duration unless it has a summary. */
  #endWorkflow(): void {
    const item = this.#workflow;
    if (!item) return;
    this.#workflow = null;
    finishWorkflow(item, undefined, false);
    this.#out.push({ type: "thread.item.done", item: structuredClone(item) });
  }

  /** Appends a task to the open workflow (opening a custom one, announced with it); its index. */
  #addTask(task: Task): number {
    const open = this.#workflow;
    if (!open) {
      this.#workflow = this.#openWorkflow("custom", [task]);
      return 0;
    }
    const { tasks } = open.workflow;
    tasks.push(task);
    this.#out.push({
      type: "thread.item.updated",
      item_id: open.id,
      update: { type: "workflow.task.added", task: structuredClone(task), task_index: tasks.length - 1 },
    });
    return tasks.length - 1;
  }

  #updateTask(index: number, task: Task): void {
    const open = this.#workflow!;
    open.workflow.tasks[index] = task;
    this.#out.push({
      type: "thread.item.updated",
      item_id: open.id,
      update: { type: "workflow.task.updated", task: structuredClone(task), task_index: index },
    });
  }

  /** Each reasoning block is a thought, streamed: added at its first text, updated after. */
  #thoughtDelta(blockId: string, delta: string): void {
    if (delta === "") return;
    this.#flushEnded();
    const workflow = (this.#workflow ??= this.#openWorkflow("reasoning"));
    const thought = this.#thoughts.get(blockId);
    if (thought && workflow.workflow.tasks.includes(thought)) {
      thought.content += delta;
      this.#updateTask(workflow.workflow.tasks.indexOf(thought), thought);
      return;
    }
    const task: ThoughtTask = { type: "thought", content: delta, status_indicator: "none" };
    this.#thoughts.set(blockId, task);
    this.#addTask(task);
  }

  // ---- tools ----

  #toolCall(call: StreamToolCall<TOOLS>): void {
    this.#flushEnded();
    if (!call.providerExecuted) this.#unanswered.set(call.toolCallId, call);
    const { toolTask } = this.#settings;
    if (toolTask === false || ("invalid" in call && call.invalid)) return;
    const task = toolTask(call);
    if (!task) return;
    const index = this.#addTask({ ...structuredClone(task), status_indicator: "loading" } as Task);
    this.#toolTasks.set(call.toolCallId, { workflowId: this.#workflow!.id, index });
  }

  /** A tool answered: its task shows it (while its workflow is still open). */
  #toolSettled(callId: string, status: "complete" | "none"): void {
    this.#unanswered.delete(callId);
    const task = this.#toolTasks.get(callId);
    this.#toolTasks.delete(callId);
    const open = this.#workflow;
    if (!task || !open || open.id !== task.workflowId) return;
    const current = open.workflow.tasks[task.index];
    if (current) this.#updateTask(task.index, { ...current, status_indicator: status });
  }
}
