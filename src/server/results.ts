import type { ThreadStreamEvent } from "../protocol/events.js";
import { bytesFramer, encodeUtf8, textFramer } from "./sse.js";
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
    return this.#iterate(bytesFramer());
  }

  /** @internal The same frames as text, for writers that encode natively (node:http). */
  textFrames(): AsyncIterator<string, undefined> {
    return this.#iterate(textFramer());
  }

  /** One frame per read, made by `frame`: exactly what was read is what the consumer saw. */
  #iterate<T extends Frame>(frame: (event: ThreadStreamEvent) => T): AsyncIterator<T, undefined> {
    if (this.#iterated) throw new Error("A StreamingResult can only be iterated once");
    this.#iterated = true;
    const stream = this.#stream;
    stream.frame = frame;
    return {
      next: () => stream.next() as Promise<IteratorResult<T, undefined>>,
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

  /**
   * The same bytes as a Web `ReadableStream`; cancelling it cancels the turn. While its reader is
   * busy (writing to a socket), the stream runs ahead by up to 16 KiB of frames and hands them
   * over as one chunk at the next read: fewer, larger writes, and no frame waits for a later one.
   * As with bytes in a socket buffer, a Stop drops the frames read ahead, but the partial answer
   * the cancellation stores includes them.
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const ahead = new ReadAhead(this.#iterate(textFramer()));
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const text = await ahead.take();
          if (text === undefined) controller.close();
          else controller.enqueue(encodeUtf8(text));
        },
        cancel: (reason) => this.cancel(reason),
      },
      // Pulled only for a waiting read: the read-ahead is ReadAhead's alone.
      { highWaterMark: 0 },
    );
  }
}

/** How far `ReadAhead` may run ahead of its reader, in characters of SSE text. */
const READ_AHEAD_CHARS = 16 * 1024;

/**
 * Reads text frames ahead of a busy reader and gives them to it joined. A reader that waits
 * takes the read in flight itself (no extra hop per frame); once it has its frame, the next read
 * starts at once, and frames that arrive while the reader is away are kept, up to the bound.
 */
class ReadAhead {
  readonly #source: AsyncIterator<string, undefined>;
  #frames: string[] = [];
  #length = 0;
  #inflight: Promise<IteratorResult<string, undefined>> | undefined;
  /** The reader awaits the read in flight: its result is the reader's, not the buffer's. */
  #claimed = false;
  #ended = false;
  #failure: { error: unknown } | undefined;

  constructor(source: AsyncIterator<string, undefined>) {
    this.#source = source;
  }

  /** The frames read ahead, joined, else the next frame; `undefined` at the end. */
  take(): Promise<string | undefined> {
    if (this.#frames.length > 0) {
      const text = this.#frames.length === 1 ? this.#frames[0]! : this.#frames.join("");
      this.#frames = [];
      this.#length = 0;
      if (!this.#inflight && !this.#ended) this.#read();
      return Promise.resolve(text);
    }
    if (this.#failure) return Promise.reject(this.#failure.error);
    if (this.#ended) return Promise.resolve(undefined);
    const read = this.#inflight ?? this.#read();
    this.#claimed = true;
    return read.then(this.#deliver);
  }

  #read(): Promise<IteratorResult<string, undefined>> {
    const read = this.#source.next();
    this.#inflight = read;
    // Registered before the reader's own `then`, so it runs first and sees the claim.
    read.then(this.#keep, this.#fail);
    return read;
  }

  readonly #keep = (result: IteratorResult<string, undefined>): void => {
    this.#inflight = undefined;
    if (this.#claimed) {
      this.#claimed = false;
      return;
    }
    if (result.done) {
      this.#ended = true;
      return;
    }
    this.#frames.push(result.value);
    this.#length += result.value.length;
    if (this.#length < READ_AHEAD_CHARS) this.#read();
  };

  readonly #deliver = (result: IteratorResult<string, undefined>): string | undefined => {
    if (result.done) {
      this.#ended = true;
      return undefined;
    }
    this.#read();
    return result.value;
  };

  readonly #fail = (error: unknown): void => {
    this.#inflight = undefined;
    this.#ended = true;
    // A claimed read rejects to the reader directly; otherwise it waits behind the frames kept.
    if (this.#claimed) this.#claimed = false;
    else this.#failure = { error };
  };
}

/** The answer to a non-streaming request: one JSON document. */
export class NonStreamingResult {
  /** The response body, compact JSON. */
  readonly json: string;

  constructor(json: string) {
    this.json = json;
  }
}
