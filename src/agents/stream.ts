import type { RunStreamEvent } from "@openai/agents";
import type { ThreadStreamEvent } from "../protocol/events.js";
import type { ClientToolCallItem } from "../protocol/items.js";
import { type AgentContext, channelOf } from "./context.js";
import type { ChannelEntry } from "./channel.js";
import { ResponseMapper } from "./mapper.js";
import { ResponseStreamConverter } from "./response-stream-converter.js";
import { now, snapshot } from "./snapshot.js";

/**
 * What `streamAgentResponse` reads: a `StreamedRunResult` from `run(agent, input, { stream: true })`,
 * or any async iterable of run events (tests).
 */
export type AgentRunEvents = AsyncIterable<RunStreamEvent> & {
  /** True once the run was aborted (`StreamedRunResult.cancelled`). */
  readonly cancelled?: boolean;
  /**
   * The run's `ReadableStream` (`StreamedRunResult.toStream()`; typed loosely by the Agents SDK).
   * Read through `getReader()` when present, because `reader.cancel()` takes effect while a read is
   * pending and an iterator's `return()` does not.
   */
  toStream?(): AsyncIterable<RunStreamEvent, unknown, unknown>;
};

/** The run's stream as a Web stream, when it is one. */
function readerOf(result: AgentRunEvents): ReadableStreamDefaultReader<RunStreamEvent> | undefined {
  const stream = result.toStream?.() as Partial<ReadableStream<RunStreamEvent>> | undefined;
  return typeof stream?.getReader === "function" ? stream.getReader() : undefined;
}

/** Options of `streamAgentResponse`. */
export interface StreamAgentResponseOptions {
  /** Converts citations and generated images; default `new ResponseStreamConverter()`. */
  converter?: ResponseStreamConverter;
  /**
   * Wakes up and cancels as soon as this aborts, even if the run was not given the signal
   * (pass `turn.signal`). Passing `turn.signal` to `run()` is what aborts the model request.
   */
  signal?: AbortSignal;
}

const TRIPWIRES = new Set(["InputGuardrailTripwireTriggered", "OutputGuardrailTripwireTriggered"]);

/** By name too, so a duplicate copy of `@openai/agents` in node_modules is recognised. */
const isTripwire = (error: unknown): boolean => error instanceof Error && TRIPWIRES.has(error.name);

/**
 * Streams an agent run as ChatKit events: assistant messages (parts, deltas, citations),
 * reasoning as a workflow of thoughts, generated images, and the side-channel events tools push
 * through the `AgentContext`, merged in the order they were observed. At the end, a workflow
 * still open is stored (so a client tool call round trip can continue it) and a client tool call
 * requested by a tool is emitted as a pending `client_tool_call` item, which ends the turn.
 *
 * - A guardrail tripwire removes every item this response produced, then is re-thrown: catch
 *   `InputGuardrailTripwireTriggered` / `OutputGuardrailTripwireTriggered` in `respond`.
 * - Any other run error is re-thrown unchanged.
 * - Cancellation (the run was aborted through its `signal`, `options.signal` aborted, or the
 *   consumer called `return()`) stops at once, drops queued side-channel events, stores nothing
 *   and emits no client tool call; unless closed by `return()` it throws `options.signal.reason`
 *   or an `AbortError`. `ChatKitServer` treats that as the cancellation it started.
 *
 * One call per `AgentContext`; the run result must not be consumed elsewhere.
 */
export function streamAgentResponse<TContext>(
  context: AgentContext<TContext>,
  result: AgentRunEvents,
  options: StreamAgentResponseOptions = {},
): AsyncGenerator<ThreadStreamEvent, void, undefined> {
  return new AgentResponseStream(context, result, options);
}

/**
 * The generator returned by `streamAgentResponse`. A hand-written wrapper rather than a plain
 * `async function*`, because a generator's `return()` waits behind a pending `next()`; this one
 * cancels the run reader at once, which also resolves the pending read.
 */
class AgentResponseStream<TContext> implements AsyncGenerator<ThreadStreamEvent, void, undefined> {
  readonly #context: AgentContext<TContext>;
  readonly #result: AgentRunEvents;
  readonly #signal: AbortSignal | undefined;
  readonly #mapper: ResponseMapper<TContext>;
  readonly #inner: AsyncGenerator<ThreadStreamEvent, void, undefined>;
  #closedByConsumer = false;
  #stopRun: (() => void) | undefined;
  #runStopped = false;

  constructor(context: AgentContext<TContext>, result: AgentRunEvents, options: StreamAgentResponseOptions) {
    this.#context = context;
    this.#result = result;
    this.#signal = options.signal;
    this.#mapper = new ResponseMapper(context, options.converter ?? new ResponseStreamConverter());
    this.#inner = this.#body();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ThreadStreamEvent, void>> {
    return this.#inner.next();
  }

  async return(): Promise<IteratorResult<ThreadStreamEvent, void>> {
    if (!this.#closedByConsumer) {
      this.#closedByConsumer = true;
      // Also resolves a pending `take()`; the body sees `#closedByConsumer` and returns quietly.
      this.#finish();
    }
    return this.#inner.return(undefined);
  }

  throw(error: unknown): Promise<IteratorResult<ThreadStreamEvent, void>> {
    return this.#inner.throw(error);
  }

  get #channel() {
    return channelOf(this.#context as AgentContext<unknown>);
  }

  /** Ends the response: later side-channel events are ignored, queued ones dropped, the run cancelled. */
  #finish(): void {
    this.#channel.close();
    this.#cancelRun();
  }

  #cancelRun(): void {
    if (this.#runStopped) return;
    this.#runStopped = true;
    if (this.#stopRun) this.#stopRun();
    else {
      // Never read: cancel it anyway so the run stops.
      try {
        const reader = readerOf(this.#result);
        if (reader) reader.cancel().catch(() => {});
        else this.#result[Symbol.asyncIterator]().return?.()?.catch?.(() => {});
      } catch {
        // already locked or finished
      }
    }
  }

  /** Reads the run eagerly into the shared FIFO (the SDK buffers without backpressure anyway). */
  #pump(): void {
    const channel = this.#channel;
    const result = this.#result;
    const loop = async () => {
      const reader = readerOf(result);
      if (reader) {
        // A reader's cancel() takes effect while a read is pending; an iterator's return() does not.
        this.#stopRun = () => void reader.cancel().catch(() => {});
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          channel.push({ kind: "run", event: value });
        }
      } else {
        const iterator = result[Symbol.asyncIterator]();
        this.#stopRun = () => void iterator.return?.()?.catch(() => {});
        for (;;) {
          const step = await iterator.next();
          if (step.done) break;
          channel.push({ kind: "run", event: step.value });
        }
      }
    };
    loop().then(
      () => channel.push({ kind: "run_end" }),
      (error: unknown) => channel.push({ kind: "run_error", error }),
    );
  }

  #cancelled(): boolean {
    return this.#closedByConsumer || this.#signal?.aborted === true;
  }

  #abortError(): unknown {
    if (this.#signal?.aborted) return this.#signal.reason;
    return new DOMException("Agent run was cancelled", "AbortError");
  }

  /** Yields `events` unless the response was cancelled meanwhile: nothing goes out after that. */
  *#emit(events: Iterable<ThreadStreamEvent>): Generator<ThreadStreamEvent, void, undefined> {
    for (const event of events) {
      if (this.#signal?.aborted) throw this.#abortError();
      yield event;
    }
  }

  async *#body(): AsyncGenerator<ThreadStreamEvent, void, undefined> {
    const channel = this.#channel;
    const mapper = this.#mapper;
    const signal = this.#signal;
    const wake = () => channel.push({ kind: "wake" });
    signal?.addEventListener("abort", wake, { once: true });
    try {
      if (this.#cancelled()) throw this.#abortError();
      await this.#continueWorkflow();
      if (this.#cancelled()) throw this.#abortError();
      this.#pump();
      for (;;) {
        const entry: ChannelEntry = await channel.take();
        if (this.#closedByConsumer) return;
        if (signal?.aborted) throw this.#abortError();
        switch (entry.kind) {
          case "wake":
            continue;
          case "side":
            yield* this.#emit(mapper.side(entry.event));
            break;
          case "run":
            yield* this.#emit(await mapper.run(entry.event));
            break;
          case "run_error":
            this.#finish();
            if (isTripwire(entry.error)) yield* mapper.removals();
            throw entry.error;
          case "run_end":
            if (this.#result.cancelled === true) throw this.#abortError();
            yield* this.#end();
            return;
        }
        if (this.#cancelled()) {
          if (this.#closedByConsumer) return;
          throw this.#abortError();
        }
      }
    } finally {
      signal?.removeEventListener("abort", wake);
      this.#finish();
    }
  }

  /**
   * A turn that resumes after a client tool call keeps adding thoughts to the workflow stored at
   * the end of the previous turn: the newest item, or the one before a `client_tool_call`.
   */
  async #continueWorkflow(): Promise<void> {
    const context = this.#context;
    const page = await context.store.loadThreadItems(context.thread.id, undefined, 2, "desc", context.requestContext);
    const [newest, previous] = page.data;
    if (newest?.type === "workflow") context.workflowItem = newest;
    else if (newest?.type === "client_tool_call" && previous?.type === "workflow") context.workflowItem = previous;
  }

  /** The normal end: drain late side-channel events, store an open workflow, emit the client tool call. */
  async *#end(): AsyncGenerator<ThreadStreamEvent, void, undefined> {
    const context = this.#context;
    const channel = this.#channel;
    const rest = channel.drain();
    this.#finish();
    for (const entry of rest) {
      if (entry.kind === "side") yield* this.#emit(this.#mapper.side(entry.event)); // [ts] Q9: same processing
    }
    if (context.workflowItem) {
      // No event: the client keeps it open, and the next turn continues it (after a client tool call).
      await context.store.addThreadItem(context.thread.id, snapshot(context.workflowItem), context.requestContext);
    }
    const call = context.clientToolCall;
    if (call) {
      const item: ClientToolCallItem = {
        type: "client_tool_call",
        id: this.#mapper.currentItemId ?? context.generateId("tool_call"),
        thread_id: context.thread.id,
        created_at: now(),
        status: "pending",
        call_id: this.#mapper.currentToolCall ?? context.generateId("tool_call"),
        name: call.name,
        arguments: snapshot(call.arguments),
      };
      yield { type: "thread.item.done", item };
    }
  }
}
