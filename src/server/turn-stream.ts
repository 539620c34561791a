import type { ThreadStreamEvent } from "../protocol/events.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import { isDeliberateStreamError, toErrorEvent } from "./error-event.js";
import { EventPipeline, type PipelineHost } from "./pipeline.js";
import { encodeEvent } from "./sse.js";

/** An SSE frame as the consumer wants it: bytes, or text for node:http, which encodes it natively. */
export type Frame = Uint8Array | string;

/** What a streaming request does once its stream is read (see `prepareStream`). */
export interface TurnPlan {
  /** The request's writes; returns the events they produce and the turn to run, if any. */
  start(): Promise<TurnStart>;
}

export interface TurnStart {
  /** Sent before the pipeline (e.g. `thread.created`, the user message). */
  events: ThreadStreamEvent[];
  /** The handler to run through the pipeline; absent when the request ends here. */
  turn?: { thread: ThreadMetadata; handler: () => AsyncIterable<ThreadStreamEvent> };
}

type Phase = "new" | "starting" | "running" | "ending" | "done";

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
/** Whether `promise` settled within `ms` (it may reject: only settling matters). */
async function settleWithin(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!promise) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The engine behind a `StreamingResult`: runs a request's writes, then its handler through the
 * event pipeline, one event per `next()`, as SSE bytes. Hand-written rather than nested async
 * generators: each generator layer costs several promise hops per event, and a generator's
 * `return()` waits behind a pending `next()` — here cancellation is in our hands.
 *
 * Cancellation (`cancel()`, or the signal): `turn` aborts; once the read in flight has settled
 * (it does so promptly, since the handler sees the abort), the handler is closed so its `finally`
 * blocks run, and — if the pipeline was running — the cancellation hook gets the pending items.
 * Exactly once; never after a normal end.
 */
export class TurnStream<TContext> {
  readonly #host: PipelineHost<TContext>;
  readonly #context: TContext;
  readonly #plan: TurnPlan;
  readonly #turn: AbortController;
  readonly #release: () => Promise<void>;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.cancel(this.#signal?.reason);

  #phase: Phase = "new";
  #queue: ThreadStreamEvent[] = [];
  #pipeline: EventPipeline<TContext> | undefined;
  #handler: AsyncIterator<ThreadStreamEvent> | undefined;
  #handlerOpen = false;
  #checkThread = false;
  #inflight: Promise<unknown> | undefined;
  #closed: Promise<void> | undefined;
  /** Mirrors `turn.signal.aborted`: a plain field is cheaper to read on every event. */
  #aborted = false;

  constructor(
    host: PipelineHost<TContext>,
    context: TContext,
    plan: TurnPlan,
    turn: AbortController,
    release: () => Promise<void>,
    signal?: AbortSignal,
  ) {
    this.#host = host;
    this.#context = context;
    this.#plan = plan;
    this.#turn = turn;
    this.#release = release;
    this.#signal = signal;
    turn.signal.addEventListener("abort", () => (this.#aborted = true), { once: true });
    if (signal?.aborted) void this.cancel(signal.reason);
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The next SSE frame. One read at a time. */
  /**
   * How events become frames; bytes by default. Set before the first read (the node adapter
   * takes text: `res.write(string)` encodes in C++ without a JS buffer per event).
   */
  frame: (event: ThreadStreamEvent) => Frame = encodeEvent;

  next(): Promise<IteratorResult<Frame, undefined>> {
    if (this.#closed) return this.#closed.then(() => DONE);
    const read = this.#read();
    this.#inflight = read;
    return read;
  }

  async #read(): Promise<IteratorResult<Frame, undefined>> {
    for (;;) {
      if (this.#aborted) return DONE; // cancelled: `cancel()` does the rest
      if (this.#queue.length > 0) return { done: false, value: this.frame(this.#queue.shift()!) };
      try {
        switch (this.#phase) {
          case "new":
            await this.#start();
            continue;
          case "running": {
            const pipeline = this.#pipeline!;
            if (this.#checkThread) {
              this.#checkThread = false;
              if (pipeline.threadChanged()) this.#queue.push(await pipeline.saveThread());
              continue;
            }
            const result = await this.#handler!.next();
            if (this.#aborted) {
              if (result.done) this.#handlerOpen = false; // returned early on abort: still a cancellation
              return DONE;
            }
            if (result.done) {
              this.#handlerOpen = false;
              this.#phase = "ending";
              continue;
            }
            const accepted = pipeline.accept(result.value);
            const event = accepted instanceof Promise ? await accepted : accepted;
            this.#checkThread = true;
            if (event && !this.#aborted) return { done: false, value: this.frame(event) };
            continue;
          }
          case "ending":
            this.#phase = "done";
            if (this.#pipeline!.threadChanged()) this.#queue.push(await this.#pipeline!.saveThread());
            continue;
          case "done":
          case "starting":
            await this.#close();
            return DONE;
        }
      } catch (error) {
        if (this.#aborted) {
          this.#handlerOpen = false; // an abort surfacing from the model call is a cancellation
          return DONE;
        }
        await this.#fail(error);
      }
    }
  }

  async #start(): Promise<void> {
    this.#phase = "starting";
    const { events, turn } = await this.#plan.start();
    this.#queue.push(...events);
    if (!turn || this.#aborted) {
      this.#phase = "done";
      return;
    }
    this.#pipeline = new EventPipeline(this.#host, turn.thread, this.#context);
    this.#phase = "running";
    this.#queue.push(this.#pipeline.streamOptions());
    this.#handlerOpen = true;
    this.#handler = turn.handler()[Symbol.asyncIterator]();
  }

  /** A failure ends the turn with an `error` event (then the final thread check, as Python). */
  async #fail(error: unknown): Promise<void> {
    if (!isDeliberateStreamError(error)) this.#host.logger.error("Error while streaming a response", error);
    this.#queue.push(toErrorEvent(error));
    if (this.#phase !== "running") {
      this.#phase = "done";
      return;
    }
    this.#phase = "ending";
    // A store failure leaves the handler suspended at a `yield`: close it. One that threw is closed.
    await this.#closeHandler();
  }

  async #closeHandler(): Promise<void> {
    if (!this.#handlerOpen) return;
    this.#handlerOpen = false;
    try {
      await this.#handler?.return?.();
    } catch (error) {
      this.#host.logger.error("Error while closing a response handler", error);
    }
  }

  #close(): Promise<void> {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#closed ??= this.#release();
    return this.#closed;
  }

  /** Cancels the stream; resolves once the cleanup has finished. Nothing happens after a normal end. */
  cancel(reason: unknown = new DOMException("The stream was cancelled", "AbortError")): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#turn.abort(reason);
    this.#closed = this.#cleanUp();
    return this.#closed;
  }

  async #cleanUp(): Promise<void> {
    try {
      // The read in flight returns promptly now that the turn is aborted — unless the handler
      // ignores the signal: then, after the grace period, clean up without it rather than hold
      // the thread's lock for as long as it hangs.
      const settled = await settleWithin(this.#inflight, this.#host.cancelGraceMs);
      if (this.#phase !== "running") return;
      this.#phase = "done";
      if (settled) await this.#closeHandler();
      else {
        this.#host.logger.warn(
          `The response handler did not stop within ${this.#host.cancelGraceMs} ms of a cancellation (is turn.signal passed on?); cleaning up without it`,
        );
        void this.#closeHandler();
      }
      await this.#pipeline!.cancelled();
    } finally {
      await this.#release();
    }
  }
}
