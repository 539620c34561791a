import { streamText, stepCountIs, type ModelMessage, type ToolSet } from "ai";
import { streamTextResponse, toModelMessages, type StreamTextResponseOptions, type ToModelMessagesOptions } from "../../src/ai/index.js";
import {
  ChatKitServer,
  InMemoryStore,
  type ThreadItem,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
} from "../../src/index.js";
import { MemoryLogger } from "../support/helpers.js";
import { ScriptedModel, type Chunk, type StepScript } from "./mock-model.js";

export interface Ctx {
  userId: string;
}
export const ctx: Ctx = { userId: "u1" };

export const thread: ThreadMetadata = {
  id: "thr_1",
  created_at: "2025-01-01T00:00:00.000Z",
  status: { type: "active" },
  metadata: {},
};

/** An in-memory store holding `thread` (and `items`), with ids `<type>_<n>` in generation order. */
export class TestStore extends InMemoryStore<Ctx> {
  #next = 0;
  constructor(items: ThreadItem[] = []) {
    super();
    void this.saveThread(thread, ctx);
    for (const item of items) void this.addThreadItem(thread.id, item, ctx);
  }
  override generateItemId(type: string): string {
    return `${type}_${++this.#next}`;
  }
  async items(): Promise<ThreadItem[]> {
    return (await this.loadThreadItems(thread.id, undefined, 100, "asc", ctx)).data;
  }
}

export { collect, collectUntilError, strip } from "../support/helpers.js";

/**
 * `streamText` over a scripted model (one step per model call, up to 5 steps), through
 * `streamTextResponse`: the events, the model and the store.
 */
export function runSteps<TOOLS extends ToolSet = ToolSet>(
  steps: Array<Chunk[] | StepScript>,
  options: {
    tools?: TOOLS;
    store?: TestStore;
    abortSignal?: AbortSignal;
    bridge?: Partial<StreamTextResponseOptions<TOOLS, Ctx>>;
  } = {},
) {
  const model = new ScriptedModel(steps);
  const store = options.store ?? new TestStore();
  const result = streamText({
    model,
    prompt: "Hi",
    tools: options.tools,
    stopWhen: stepCountIs(5),
    abortSignal: options.abortSignal,
    onError: () => {}, // the errors are asserted on; keep the test output clean
  });
  const events = streamTextResponse(thread, result, { store, context: ctx, ...options.bridge });
  return { model, store, result, events };
}

// ---- expected events ----

export const added = (item: Record<string, unknown>) => ({ type: "thread.item.added", item });
export const done = (item: Record<string, unknown>) => ({ type: "thread.item.done", item });
export const updated = (item_id: string, update: Record<string, unknown>) => ({ type: "thread.item.updated", item_id, update });

export const assistant = (id: string, text?: string, annotations: unknown[] = []) => ({
  type: "assistant_message",
  id,
  thread_id: thread.id,
  content: text === undefined ? [] : [{ type: "output_text", text, annotations }],
});
export const partAdded = (id: string) =>
  updated(id, { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } });
export const delta = (id: string, text: string) => updated(id, { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text });
export const partDone = (id: string, text: string, annotations: unknown[] = []) =>
  updated(id, { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text, annotations } });
export const annotationAdded = (id: string, index: number, annotation: unknown) =>
  updated(id, { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: index, annotation });

/** The events of one streamed message: added, part added, deltas, part done, done. */
export const message = (id: string, ...deltas: string[]) => [
  added(assistant(id)),
  partAdded(id),
  ...deltas.map((text) => delta(id, text)),
  partDone(id, deltas.join("")),
  done(assistant(id, deltas.join(""))),
];

export const workflow = (id: string, type: "reasoning" | "custom", tasks: unknown[], summary?: unknown, threadId = thread.id) => ({
  type: "workflow",
  id,
  thread_id: threadId,
  workflow: { type, tasks, expanded: false, ...(summary === undefined ? {} : { summary }) },
});
export const thought = (content: string) => ({ type: "thought", content, status_indicator: "none" });
export const task = (title: string, status_indicator: "loading" | "complete" | "none") => ({ type: "custom", title, status_indicator });
export const taskAdded = (id: string, task: unknown, task_index: number) => updated(id, { type: "workflow.task.added", task, task_index });
export const taskUpdated = (id: string, task: unknown, task_index: number) => updated(id, { type: "workflow.task.updated", task, task_index });

/** Replaces each workflow duration (wall-clock seconds) by 0 so runs compare exactly. */
export function zeroDurations<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => (key === "summary" && v && typeof v === "object" && "duration" in v ? { duration: 0 } : v)),
  ) as T;
}

/**
 * The shape of the documented server: the last items as model messages, `streamText` with the
 * turn's signal, and `streamTextResponse`. Records each turn's model input.
 */
export class AiServer extends ChatKitServer<Ctx> {
  override readonly logger: MemoryLogger;
  readonly inputs: ModelMessage[][] = [];
  constructor(
    readonly model: ScriptedModel,
    readonly config: { tools?: ToolSet; convert?: ToModelMessagesOptions; store?: InMemoryStore<Ctx>; passSignal?: boolean } = {},
  ) {
    const logger = new MemoryLogger();
    super({ store: config.store ?? new InMemoryStore<Ctx>(), logger });
    this.logger = logger;
  }
  async *respond(thread: ThreadMetadata, _input: UserMessageItem | null, context: Ctx, turn: Turn): AsyncGenerator<ThreadStreamEvent> {
    const page = await this.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const messages = await toModelMessages([...page.data].reverse(), this.config.convert);
    this.inputs.push(messages);
    const result = streamText({
      model: this.model,
      messages,
      tools: this.config.tools,
      stopWhen: stepCountIs(5),
      abortSignal: this.config.passSignal === false ? undefined : turn.signal,
      onError: () => {}, // ChatKitServer logs stream errors
    });
    yield* streamTextResponse(thread, result, { store: this.store, context, signal: turn.signal });
  }
}
