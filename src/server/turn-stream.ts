import type { ThreadStreamEvent } from "../protocol/events.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import type { ReleaseThreadLock } from "../store/thread-lock.js";
import { isDeliberateStreamError, toErrorEvent } from "./error-event.js";
import { handlerEvents, isAsyncIterable } from "./handler-output.js";
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
  /**
   * The handler to run through the pipeline; absent when the request ends here. It should return
   * an `AsyncIterable` of events; anything else fails the turn (see `handlerEvents`).
   */
  turn?: { thread: ThreadMetadata; handler: () => unknown };
}

/** What a `TurnStream` works with besides the request. */
export interface TurnResources {
  /** The thread whose lock the turn holds. */
  threadId: string;
  /** Aborted when the turn stops early: the handler's `turn.signal`. */
  turn: AbortController;
  /** The thread's lock, held until the stream has ended and its cleanup has run. */
  release: ReleaseThreadLock;
  /** The caller's signal (e.g. the client hung up). */
  signal?: AbortSignal | undefined;
}

type Phase = "new" | "starting" | "running" | "failing" | "ending" | "done";

/**
 * Why a turn stopped before its end. A cancellation (Stop, a hang-up, the consumer stopped
 * reading) and a time-out keep what the user saw (`handleStreamCancelled`); a time-out and a lost
 * lock end the stream with an `error` event for a client still reading. A lost lock runs no hook:
 * the turn may no longer write.
 */
type Stop = "cancelled" | "timed out" | "lock lost";

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
/** `setTimeout` takes at most a signed 32-bit delay; a longer limit is no limit in practice. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
 * event pipeline, one event per `next()`, as SSE frames. Hand-written rather than nested async
 * generators: each generator layer costs several promise hops per event, and a generator's
 * `return()` waits behind a pending `next()` — here stopping is in our hands.
 *
 * A turn ends in one of four ways, each exactly once:
 * - normally: the handler returns;
 * - it fails (the handler throws, yields an invalid event, a store write fails): the handler is
 *   closed, `handleStreamError` gets the pending items, then the client gets an `error` event;
 * - it is cancelled (`cancel()`, the signal, `maxTurnMs`): `turn` aborts; once the handler's step
 *   in flight has settled (promptly, since the handler sees the abort; or after
 *   `cancelGraceMs`), the handler is closed so its `finally` blocks run, and
 *   `handleStreamCancelled` gets the pending items;
 * - its lock is lost (PostgresStore's session ended): `turn` aborts and the handler is closed;
 *   no hook runs, since another process may own the thread now.
 * The lock is released only after all of that, so the next turn sees what this one left.
 */
export class TurnStream<TContext> {
  readonly #host: PipelineHost<TContext>;
  readonly #context: TContext;
  readonly #plan: TurnPlan;
  readonly #threadId: string;
  readonly #turn: AbortController;
  readonly #release: ReleaseThreadLock;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.#stop("cancelled", this.#signal?.reason);
  readonly #onLockLost = () => {
    const reason: unknown = this.#release.lost?.reason;
    this.#host.logger.error(`Lost the lock of thread ${this.#threadId}; stopping its turn`, reason);
    void this.#stop("lock lost", reason);
  };
  readonly #timer: NodeJS.Timeout | undefined;

  #phase: Phase = "new";
  #queue: ThreadStreamEvent[] = [];
  #pipeline: EventPipeline<TContext> | undefined;
  #handler: AsyncIterator<unknown> | undefined;
  #handlerOpen = false;
  #checkThread = false;
  /** The step in flight (the handler's `next()`, a store write, the start): what a stop waits for. */
  #step: Promise<unknown> | undefined;
  /** The cancellation or error hook, once it runs; the lock is released after it. */
  #hook: Promise<void> | undefined;
  /** Sent to a client still reading after a stop (a time-out or a lost lock). */
  #final: ThreadStreamEvent | undefined;
  #closed: Promise<void> | undefined;
  /** Mirrors `turn.signal.aborted`: a plain field is cheaper to read on every event. */
  #aborted = false;

  constructor(host: PipelineHost<TContext>, context: TContext, plan: TurnPlan, resources: TurnResources) {
    this.#host = host;
    this.#context = context;
    this.#plan = plan;
    this.#threadId = resources.threadId;
    this.#turn = resources.turn;
    this.#release = resources.release;
    this.#signal = resources.signal;
    this.#turn.signal.addEventListener("abort", () => (this.#aborted = true), { once: true });
    const { maxTurnMs } = host.turnLimits;
    if (maxTurnMs <= MAX_TIMER_MS) {
      this.#timer = setTimeout(() => this.#timeOut(), maxTurnMs);
      // The time limit alone never keeps a process alive (the request's socket does that).
      this.#timer.unref?.();
    }
    const { lost } = this.#release;
    if (lost?.aborted) this.#onLockLost();
    else lost?.addEventListener("abort", this.#onLockLost, { once: true });
    if (this.#signal?.aborted) void this.cancel(this.#signal.reason);
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /**
   * How events become frames; bytes by default. Set before the first read (the node adapter
   * takes text: `res.write(string)` encodes in C++ without a JS buffer per event).
   */
  frame: (event: ThreadStreamEvent) => Frame = encodeEvent;

  /** The next SSE frame. One read at a time. */
  next(): Promise<IteratorResult<Frame, undefined>> {
    if (this.#closed) return this.#stopped();
    return this.#read();
  }

  async #read(): Promise<IteratorResult<Frame, undefined>> {
    for (;;) {
      if (this.#aborted) return this.#stopped(); // stopped early: `#stop()` does the rest
      if (this.#queue.length > 0) return { done: false, value: this.frame(this.#queue.shift()!) };
      try {
        switch (this.#phase) {
          case "new":
            await (this.#step = this.#start());
            continue;
          case "running": {
            const pipeline = this.#pipeline!;
            if (this.#checkThread) {
              this.#checkThread = false;
              if (pipeline.threadChanged()) this.#queue.push(await (this.#step = pipeline.saveThread()));
              continue;
            }
            const step = this.#handler!.next();
            this.#step = step;
            let result: IteratorResult<unknown>;
            try {
              result = await step;
            } catch (error) {
              this.#handlerOpen = false; // it threw: nothing left to close
              throw error;
            }
            if (result.done) this.#handlerOpen = false;
            if (this.#aborted) return this.#stopped(); // a handler that returns early on abort is cancelled too
            if (result.done) {
              this.#phase = "ending";
              continue;
            }
            const accepted = pipeline.accept(result.value);
            const event = accepted instanceof Promise ? await (this.#step = accepted) : accepted;
            this.#checkThread = true;
            if (event && !this.#aborted) return { done: false, value: this.frame(event) };
            continue;
          }
          case "ending":
            this.#phase = "done";
            if (this.#pipeline!.threadChanged()) this.#queue.push(await (this.#step = this.#pipeline!.saveThread()));
            continue;
          case "done":
          case "starting":
          case "failing":
            await this.#close();
            return DONE;
        }
      } catch (error) {
        if (this.#aborted) return this.#stopped(); // e.g. an abort surfacing from the model call
        await (this.#step = this.#fail(error));
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
    const output = turn.handler();
    const iterable = isAsyncIterable(output) ? output : await handlerEvents(output);
    this.#handler = iterable[Symbol.asyncIterator]();
    this.#handlerOpen = true;
  }

  /**
   * A failure ends the turn: the error hook keeps what the user saw, then the client gets an
   * `error` event (then the final thread check, as Python). Before the turn ran, only the event.
   */
  async #fail(error: unknown): Promise<void> {
    if (!isDeliberateStreamError(error)) this.#host.logger.error("Error while streaming a response", error);
    const event = toErrorEvent(error);
    if (this.#phase !== "running") {
      this.#queue.push(event);
      this.#phase = "done";
      return;
    }
    this.#phase = "failing";
    // A store failure or an invalid event leaves the handler suspended at a `yield`: close it.
    await this.#closeHandler();
    this.#hook = this.#pipeline!.failed(error);
    this.#cleaningUp(this.#hook);
    await this.#hook;
    this.#queue.push(event);
    this.#phase = "ending";
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

  /** Reads of the thread, here and in other processes, wait for `cleanup`. */
  #cleaningUp(cleanup: Promise<void>): void {
    this.#host.cleanups.track(this.#threadId, cleanup);
    this.#release.cleaningUp?.().catch((error: unknown) => {
      this.#host.logger.warn(`Could not announce the cleanup of thread ${this.#threadId} to other instances`, error);
    });
  }

  #detach(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#release.lost?.removeEventListener("abort", this.#onLockLost);
  }

  #close(): Promise<void> {
    this.#detach();
    this.#closed ??= this.#release();
    return this.#closed;
  }

  /** After a stop: the final event for a client still reading, if the stop has one; then the end. */
  #stopped(): Promise<IteratorResult<Frame, undefined>> {
    return (this.#closed ?? Promise.resolve()).then(() => {
      const event = this.#final;
      if (!event) return DONE;
      this.#final = undefined;
      return { done: false, value: this.frame(event) };
    });
  }

  #timeOut(): void {
    const { maxTurnMs } = this.#host.turnLimits;
    this.#host.logger.warn(
      `A turn of thread ${this.#threadId} ran longer than maxTurnMs (${maxTurnMs} ms); cancelling it as if the client had hung up`,
    );
    void this.#stop("timed out", new DOMException(`The turn ran longer than ${maxTurnMs} ms`, "TimeoutError"));
  }

  /** Cancels the stream; resolves once the cleanup has finished. Nothing happens after a normal end. */
  cancel(reason: unknown = new DOMException("The stream was cancelled", "AbortError")): Promise<void> {
    return this.#stop("cancelled", reason);
  }

  #stop(stop: Stop, reason: unknown): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#detach();
    if (stop !== "cancelled") this.#final = toErrorEvent(reason);
    const hookToRun = this.#phase === "running" && stop !== "lock lost";
    this.#turn.abort(reason);
    this.#closed = this.#cleanUp(stop);
    if (hookToRun) this.#cleaningUp(this.#closed);
    return this.#closed;
  }

  async #cleanUp(stop: Stop): Promise<void> {
    try {
      // The step in flight settles promptly now that the turn is aborted — unless the handler
      // ignores the signal: then, after the grace period, clean up without it rather than hold
      // the thread's lock for as long as it hangs.
      const { cancelGraceMs } = this.#host.turnLimits;
      const settled = await settleWithin(this.#step, cancelGraceMs);
      if (this.#phase === "running") {
        this.#phase = "done";
        if (settled) await this.#closeHandler();
        else {
          this.#host.logger.warn(
            `The response handler did not stop within ${cancelGraceMs} ms of a cancellation (is turn.signal passed on?); cleaning up without it`,
          );
          void this.#closeHandler();
        }
        if (stop !== "lock lost") this.#hook = this.#pipeline!.cancelled();
      }
      // An error hook that was already running finishes before the lock is released.
      await this.#hook;
    } finally {
      await this.#release();
    }
  }
}
