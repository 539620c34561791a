import type { ThreadStreamEvent } from "../protocol/events.js";
import { frameText } from "./sse.js";
import type { Frame } from "./turn-stream.js";

export { encodeEvent } from "./sse.js";

/** The engine a `StreamingResult` reads (a `TurnStream`). */
interface FrameSource {
  frame: (event: ThreadStreamEvent) => Frame;
  next(): Promise<IteratorResult<Frame, undefined>>;
  cancel(reason?: unknown): Promise<void>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The answer to a streaming request: SSE frames as an async iterable of bytes. Iterate it once.
 *
 * The stream is cancelled — `turn.signal` aborts, the handler is closed and
 * `handleStreamCancelled` runs — when the `signal` given to `process` aborts, when the consumer
 * stops iterating early (`break`, `return()`), when `cancel()` is called, or when the
 * `ReadableStream` from `toReadableStream()` is cancelled, or after `maxTurnMs`. A result must be
 * consumed or cancelled: until then (at most `maxTurnMs`) it holds its thread's turn lock.
 */
export class StreamingResult implements AsyncIterable<Uint8Array> {
  readonly #stream: FrameSource;
  #iterated = false;

  /** @internal Built by `ChatKitServer.process`. */
  constructor(stream: FrameSource) {
    this.#stream = stream;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    return this.#iterate() as AsyncIterator<Uint8Array, undefined>;
  }

  /** @internal The same frames as text, for writers that encode natively (node:http). */
  textFrames(): AsyncIterator<string, undefined> {
    this.#stream.frame = frameText;
    return this.#iterate() as AsyncIterator<string, undefined>;
  }

  #iterate(): AsyncIterator<Frame, undefined> {
    if (this.#iterated) throw new Error("A StreamingResult can only be iterated once");
    this.#iterated = true;
    const stream = this.#stream;
    return {
      next: () => stream.next(),
      return: async () => {
        await stream.cancel();
        return DONE;
      },
    };
  }

  /**
   * Stops the stream as if the client went away, and resolves once the cancellation cleanup
   * (`handleStreamCancelled`) has finished. Does nothing on a stream that already ended.
   */
  cancel(reason?: unknown): Promise<void> {
    return this.#stream.cancel(reason);
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
