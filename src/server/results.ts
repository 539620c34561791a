import type { ThreadStreamEvent } from "../protocol/events.js";
import { toWireEvent } from "../protocol/wire.js";

const encoder = new TextEncoder();

/** One Server-Sent Events frame: `data: <compact json>\n\n`, as UTF-8. */
export function encodeEvent(event: ThreadStreamEvent): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(toWireEvent(event))}\n\n`);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The answer to a streaming request: SSE frames as an async iterable of bytes. Iterate it once.
 *
 * The stream is cancelled — `turn.signal` aborts, the handler is closed and
 * `handleStreamCancelled` runs — when the `signal` given to `process` aborts, when the consumer
 * stops iterating early (`break`, `return()`), when `cancel()` is called, or when the
 * `ReadableStream` from `toReadableStream()` is cancelled. A result must be consumed or
 * cancelled: until then it holds its thread's turn lock.
 */
export class StreamingResult implements AsyncIterable<Uint8Array> {
  readonly #events: AsyncGenerator<ThreadStreamEvent, void, undefined>;
  readonly #turn: AbortController;
  readonly #release: () => Promise<void>;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.cancel(this.#signal?.reason);
  #closed: Promise<void> | undefined;
  #iterated = false;

  /** @internal Built by `ChatKitServer.process`. */
  constructor(
    events: AsyncGenerator<ThreadStreamEvent, void, undefined>,
    turn: AbortController,
    release: () => Promise<void>,
    signal?: AbortSignal,
  ) {
    this.#events = events;
    this.#turn = turn;
    this.#release = release;
    this.#signal = signal;
    if (signal?.aborted) void this.cancel(signal.reason);
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    if (this.#iterated) throw new Error("A StreamingResult can only be iterated once");
    this.#iterated = true;
    return {
      next: () => this.#next(),
      return: async () => {
        await this.cancel();
        return DONE;
      },
    };
  }

  async #next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.#closed) {
      await this.#closed;
      return DONE;
    }
    let result: IteratorResult<ThreadStreamEvent, void>;
    try {
      result = await this.#events.next();
    } catch (error) {
      await this.#close();
      throw error;
    }
    if (result.done) {
      await this.#close();
      return DONE;
    }
    // Raced with a cancellation: the client is gone, nothing more goes out.
    if (this.#closed) return DONE;
    return { done: false, value: encodeEvent(result.value) };
  }

  #close(): Promise<void> {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#closed ??= this.#release();
    return this.#closed;
  }

  /**
   * Stops the stream as if the client went away, and resolves once the cancellation cleanup
   * (`handleStreamCancelled`) has finished. Does nothing on a stream that already ended.
   */
  cancel(reason: unknown = new DOMException("The stream was cancelled", "AbortError")): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#turn.abort(reason);
    // Queued behind a pending `next()` if the pipeline is awaiting; the aborted signal makes it
    // return promptly, and its `finally` runs the cleanup.
    this.#closed = this.#events.return(undefined).then(
      () => this.#release(),
      () => this.#release(),
    );
    return this.#closed;
  }

  /** The same bytes as a Web `ReadableStream`; cancelling it cancels the turn. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const result = await iterator.next();
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      cancel: (reason) => this.cancel(reason),
    });
  }
}

/** The answer to a non-streaming request: one JSON document. */
export class NonStreamingResult {
  /** The response body, compact JSON. */
  readonly json: string;

  constructor(json: string) {
    this.json = json;
  }
}
