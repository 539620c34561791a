import { ChatKitServer, InMemoryStore, NonStreamingResult, StreamingResult } from "../../src/index.js";
import type {
  Action,
  AttachmentStore,
  ChatKitServerOptions,
  Logger,
  Store,
  SyncCustomActionResponse,
  ThreadItem,
  ThreadMetadata,
  ThreadStreamEvent,
  Turn,
  UserMessageItem,
  WidgetItem,
} from "../../src/index.js";

export interface TestContext {
  userId: string;
}

export type Respond<C = TestContext> = (
  thread: ThreadMetadata,
  input: UserMessageItem | null,
  context: C,
  turn: Turn,
) => AsyncIterable<ThreadStreamEvent>;

export type ActionHandler<C = TestContext> = (
  thread: ThreadMetadata,
  action: Action,
  sender: WidgetItem | null,
  context: C,
  turn: Turn,
) => AsyncIterable<ThreadStreamEvent>;

/** Collects what a logger receives, so tests stay quiet and can assert on errors. */
export class MemoryLogger implements Logger {
  readonly errors: unknown[][] = [];
  readonly warnings: unknown[][] = [];
  error(...args: unknown[]) {
    this.errors.push(args);
  }
  warn(...args: unknown[]) {
    this.warnings.push(args);
  }
}

/** A server whose hooks are plain functions given per test. */
export class TestServer<C = TestContext> extends ChatKitServer<C> {
  respondCalls: Array<{ thread: ThreadMetadata; input: UserMessageItem | null; context: C }> = [];
  constructor(
    readonly hooks: {
      respond?: Respond<C>;
      action?: ActionHandler<C>;
      syncAction?: (thread: ThreadMetadata, action: Action, sender: WidgetItem | null, context: C) => Promise<SyncCustomActionResponse>;
      handleStreamCancelled?: (thread: ThreadMetadata, pending: ThreadItem[], context: C) => Promise<void>;
      handleStreamError?: (thread: ThreadMetadata, pending: ThreadItem[], error: unknown, context: C) => Promise<void>;
    } = {},
    options: Partial<ChatKitServerOptions<C>> & { store?: Store<C>; attachmentStore?: AttachmentStore<C> } = {},
  ) {
    super({ store: options.store ?? new InMemoryStore<C>(), logger: options.logger ?? new MemoryLogger(), ...options });
  }
  async *respond(thread: ThreadMetadata, input: UserMessageItem | null, context: C, turn: Turn) {
    this.respondCalls.push({ thread: structuredClone(thread), input, context });
    if (this.hooks.respond) yield* this.hooks.respond(thread, input, context, turn);
  }
  override action(thread: ThreadMetadata, action: Action, sender: WidgetItem | null, context: C, turn: Turn) {
    return this.hooks.action ? this.hooks.action(thread, action, sender, context, turn) : super.action(thread, action, sender, context, turn);
  }
  override syncAction(thread: ThreadMetadata, action: Action, sender: WidgetItem | null, context: C) {
    return this.hooks.syncAction ? this.hooks.syncAction(thread, action, sender, context) : super.syncAction(thread, action, sender, context);
  }
  override handleStreamCancelled(thread: ThreadMetadata, pending: ThreadItem[], context: C) {
    return this.hooks.handleStreamCancelled
      ? this.hooks.handleStreamCancelled(thread, pending, context)
      : super.handleStreamCancelled(thread, pending, context);
  }
  override handleStreamError(thread: ThreadMetadata, pending: ThreadItem[], error: unknown, context: C) {
    return this.hooks.handleStreamError
      ? this.hooks.handleStreamError(thread, pending, error, context)
      : super.handleStreamError(thread, pending, error, context);
  }
}

export const ctx: TestContext = { userId: "test_user" };

const decoder = new TextDecoder();

/** Splits SSE text into the JSON of each `data:` frame (comments ignored). */
export function parseSse(text: string): ThreadStreamEvent[] {
  return text
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => JSON.parse(frame.slice(6)) as ThreadStreamEvent);
}

/** Drains a streaming result into its raw text. */
export async function drainText(result: StreamingResult | NonStreamingResult): Promise<string> {
  if (!(result instanceof StreamingResult)) throw new Error("expected a streaming result");
  let text = "";
  for await (const chunk of result) text += decoder.decode(chunk);
  return text;
}

/** Runs a streaming request and returns its events. */
export async function stream<C>(server: ChatKitServer<C>, request: unknown, context: C): Promise<ThreadStreamEvent[]> {
  return parseSse(await drainText(await server.process(JSON.stringify(request), context)));
}

/** Runs a non-streaming request and returns its parsed JSON. */
export async function call<C>(server: ChatKitServer<C>, request: unknown, context: C): Promise<any> {
  const result = await server.process(JSON.stringify(request), context);
  if (!(result instanceof NonStreamingResult)) throw new Error("expected a non-streaming result");
  return JSON.parse(result.json);
}

export const text = (value: string) => ({ content: [{ type: "input_text", text: value }], attachments: [], inference_options: {} });
export const create = (value: string, extra: Record<string, unknown> = {}) => ({
  type: "threads.create",
  params: { input: { ...text(value), ...extra } },
});
export const addMessage = (threadId: string, value: string) => ({
  type: "threads.add_user_message",
  params: { thread_id: threadId, input: text(value) },
});

export const now = () => new Date().toISOString();

export function assistant(id: string, threadId: string, value: string): ThreadItem {
  return { type: "assistant_message", id, thread_id: threadId, created_at: now(), content: [{ type: "output_text", text: value, annotations: [] }] };
}

export function userMessage(id: string, threadId: string, value: string): ThreadItem {
  return {
    type: "user_message",
    id,
    thread_id: threadId,
    created_at: now(),
    content: [{ type: "input_text", text: value }],
    attachments: [],
    inference_options: {},
  };
}

/** Resolves after the microtask queue and pending timers of this tick have run. */
export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Never resolves; rejects once the turn is aborted, like a model call given `turn.signal`. */
export const modelCall = (turn: Turn) =>
  new Promise<never>((_, reject) => {
    if (turn.signal.aborted) reject(turn.signal.reason);
    turn.signal.addEventListener("abort", () => reject(turn.signal.reason), { once: true });
  });

/** A promise with its resolver exposed. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The thread id of a stream that began with `thread.created`. */
export function createdThreadId(events: ThreadStreamEvent[]): string {
  const first = events[0];
  if (first?.type !== "thread.created") throw new Error("stream did not start with thread.created");
  return first.thread.id;
}

/** Deep copy without any `created_at`, for comparisons. */
export function strip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === "created_at" ? undefined : v))) as T;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** Runs to the end, returning the events and the error (if any). */
export async function collectUntilError<T>(iterable: AsyncIterable<T>): Promise<{ events: T[]; error: unknown }> {
  const events: T[] = [];
  try {
    for await (const value of iterable) events.push(value);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}
