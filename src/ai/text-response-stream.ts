import type { TextStreamPart, ToolSet } from "ai";
import type { ThreadStreamEvent } from "../index.js";
import type { TextStreamMapper } from "./text-stream-mapper.js";

type Step = IteratorResult<ThreadStreamEvent, void>;
const isList = (events: ThreadStreamEvent | readonly ThreadStreamEvent[]): events is readonly ThreadStreamEvent[] => Array.isArray(events);
const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

/** Reads the parts one at a time; `cancel()` also ends a read in flight. */
interface PartReader<T> {
  read(): Promise<IteratorResult<T, unknown>>;
  cancel(): void;
}

function readerOf<T>(parts: AsyncIterable<T>): PartReader<T> {
  const stream = parts as Partial<ReadableStream<T>>;
  if (typeof stream.getReader === "function") {
    const reader = stream.getReader();
    return { read: () => reader.read() as Promise<IteratorResult<T, unknown>>, cancel: () => void reader.cancel().catch(() => {}) };
  }
  const iterator = parts[Symbol.asyncIterator]();
  return { read: () => iterator.next(), cancel: () => void iterator.return?.()?.catch(() => {}) };
}

/** The reason a cancelled response throws: the signal's, else an `AbortError`. */
export const abortError = (signal: AbortSignal | undefined): unknown =>
  signal?.aborted ? signal.reason : new DOMException("The model call was aborted", "AbortError");

/**
 * @internal The iterator `streamTextResponse` returns. Hand-written rather than an `async
 * function*`: a text delta then costs one read of the model's stream and no generator hops, and
 * `return()` takes effect at once instead of waiting behind a pending read (it cancels the read).
 *
 * Parts that need I/O (the store at the start and the end, an image upload, tool widgets) are
 * async generators of the mapper, drained before the next part is read.
 */
export class TextResponseStream<TOOLS extends ToolSet, TContext> implements AsyncGenerator<ThreadStreamEvent, void, undefined> {
  readonly #mapper: TextStreamMapper<TOOLS, TContext>;
  readonly #reader: PartReader<TextStreamPart<TOOLS>>;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.#reader.cancel();
  /** Events of one part still to hand out (most parts give none or one). */
  #queue: readonly ThreadStreamEvent[] = [];
  #head = 0;
  #slow: AsyncIterator<ThreadStreamEvent, void> | undefined;
  #ending = false;
  #closed = false;

  constructor(mapper: TextStreamMapper<TOOLS, TContext>, fullStream: AsyncIterable<TextStreamPart<TOOLS>>, signal: AbortSignal | undefined) {
    this.#mapper = mapper;
    this.#signal = signal;
    this.#reader = readerOf(fullStream);
    this.#slow = this.#start();
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Step> {
    if (this.#closed) return Promise.resolve(DONE);
    if (this.#head < this.#queue.length) return Promise.resolve({ done: false, value: this.#queue[this.#head++]! });
    if (this.#slow) return this.#slow.next().then(this.#onSlow, this.#fail);
    return this.#reader.read().then(this.#onPart, this.#onReadError);
  }

  return(): Promise<Step> {
    this.#close();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<Step> {
    this.#close();
    return Promise.reject(error);
  }

  async *#start(): AsyncGenerator<ThreadStreamEvent, void, undefined> {
    if (this.#signal?.aborted) throw abortError(this.#signal);
    yield* await this.#mapper.start();
  }

  readonly #onPart = (read: IteratorResult<TextStreamPart<TOOLS>, unknown>): Step | Promise<Step> => {
    if (this.#closed) return DONE;
    if (this.#signal?.aborted) return this.#fail(this.#signal.reason);
    if (read.done) {
      this.#ending = true;
      this.#slow = this.#mapper.end();
      return this.next();
    }
    const part = read.value;
    const mapper = this.#mapper;
    switch (part.type) {
      case "text-delta": {
        const events = mapper.textDelta(part.id, part.text);
        if (events === undefined) return this.next();
        if (!isList(events)) return { done: false, value: events };
        this.#hold(events);
        return this.next();
      }
      case "error":
        return this.#fail(part.error);
      case "abort":
        return this.#fail(abortError(this.#signal));
      case "file":
        this.#slow = mapper.file(part.file);
        return this.next();
      case "finish-step":
        this.#slow = mapper.finishStep();
        return this.next();
      default:
        this.#hold(mapper.part(part));
        return this.next();
    }
  };

  /** Hands `events` out before reading on. */
  #hold(events: readonly ThreadStreamEvent[]): void {
    this.#queue = events;
    this.#head = 0;
  }

  readonly #onReadError = (error: unknown): never => this.#fail(this.#signal?.aborted ? this.#signal.reason : error);

  readonly #onSlow = (step: IteratorResult<ThreadStreamEvent, void>): Step | Promise<Step> => {
    if (this.#closed) return DONE;
    if (this.#signal?.aborted) return this.#fail(this.#signal.reason);
    if (!step.done) return step;
    this.#slow = undefined;
    if (!this.#ending) return this.next();
    this.#close();
    return DONE;
  };

  /** Ends the response with `error`: nothing is read or handed out after it. */
  readonly #fail = (error: unknown): never => {
    this.#close();
    throw error;
  };

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hold([]);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#reader.cancel();
    void this.#slow?.return?.()?.catch(() => {});
    this.#slow = undefined;
  }
}
