import type { StreamOptions, ThreadStreamEvent } from "../protocol/events.js";
import { DEFAULT_JSON_LIMITS, type JsonLimits } from "../protocol/json-limits.js";
import type { ThreadItem, UserMessageItem, WidgetItem } from "../protocol/items.js";
import { isStreamingRequest, type Action, type FeedbackKind } from "../protocol/requests.js";
import type { AudioInput, SyncCustomActionResponse, TranscriptionResult } from "../protocol/results.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import { ConflictError, NotFoundError } from "../store/errors.js";
import type { AttachmentStore, Store } from "../store/store.js";
import { InProcessThreadLock, type ThreadLock } from "../store/thread-lock.js";
import { keepWhatTheUserSaw, streamFailedNote, userCancelledNote } from "./cancellation.js";
import { CleanupRegistry } from "./cleanups.js";
import { RequestError } from "./errors.js";
import type { Logger } from "./logger.js";
import { handleNonStreamingRequest } from "./non-streaming-requests.js";
import { parseRequest } from "./parse-request.js";
import type { TurnLimits } from "./pipeline.js";
import { NonStreamingResult, StreamingResult } from "./results.js";
import { prepareStream } from "./streaming-requests.js";
import { TurnStream } from "./turn-stream.js";
import type { Turn } from "./turn.js";

/** Options of `ChatKitServer`. */
export interface ChatKitServerOptions<TContext> {
  /** Threads, items and attachment metadata. */
  store: Store<TContext>;
  /** Attachment bytes; needed for `attachments.create` and `attachments.delete`. */
  attachmentStore?: AttachmentStore<TContext>;
  /** Defaults to `console`. */
  logger?: Logger;
  /**
   * Serializes the turns of a thread. Defaults to the store's `threadLock` (PostgresStore locks
   * across processes), else a lock inside this process.
   */
  threadLock?: ThreadLock;
  /**
   * How long a cancelled stream waits for `respond` to stop (its current `await` to settle) before
   * the cleanup runs without it, so a handler that ignores `turn.signal` cannot hold its thread.
   * Default 10 000 ms.
   */
  cancelGraceMs?: number;
  /**
   * The longest a turn may run, from the moment it holds its thread until its stream ends. A turn
   * running longer is cancelled as if the client had hung up (`turn.signal` aborts,
   * `handleStreamCancelled` keeps what the user saw), a warning is logged, and a client still
   * reading gets an `error` event. It bounds how long a hung handler — or a result nobody reads —
   * can hold its thread. Default 600 000 ms (10 minutes); `Infinity` for no limit.
   */
  maxTurnMs?: number;
  /**
   * Bounds on each free-form JSON value of a request (tag data, a client tool result, an action
   * payload, structured-input answers, request metadata); beyond them the request is refused with
   * a 400 naming the field, before anything is written. Default `DEFAULT_JSON_LIMITS`: 64 levels,
   * 1 000 000 characters of JSON.
   */
  jsonLimits?: Partial<JsonLimits>;
}

/** The default `maxTurnMs`: far above any answer streamed to a person, well below "forever". */
export const DEFAULT_MAX_TURN_MS = 10 * 60 * 1000;
const DEFAULT_CANCEL_GRACE_MS = 10_000;

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new RangeError(`chatkit-server: ${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** Options of one `process` call. */
export interface ProcessOptions {
  /** Abort to cancel the stream, e.g. when the client disconnects. */
  signal?: AbortSignal;
}

const notImplemented = (what: string) =>
  new RequestError(400, `${what} is not supported by this server`);

/**
 * A ChatKit backend. Subclass it, implement `respond`, and mount it with `toFetchHandler` or
 * `toNodeHandler` (or call `process` from any framework).
 *
 * ```ts
 * class MyServer extends ChatKitServer<{ userId: string }> {
 *   async *respond(thread, input, context, turn) {
 *     // yield thread.item.* events; pass turn.signal to the model call
 *   }
 * }
 * ```
 */
export abstract class ChatKitServer<TContext = unknown> {
  readonly store: Store<TContext>;
  readonly attachmentStore: AttachmentStore<TContext> | undefined;
  readonly logger: Logger;
  /** @internal */
  readonly threadLock: ThreadLock;
  /** @internal */
  readonly cleanups: CleanupRegistry;
  /** @internal */
  readonly turnLimits: TurnLimits;
  /** @internal */
  readonly jsonLimits: JsonLimits;

  constructor(options: ChatKitServerOptions<TContext>) {
    this.store = options.store;
    this.attachmentStore = options.attachmentStore;
    this.logger = options.logger ?? console;
    this.threadLock = options.threadLock ?? options.store.threadLock ?? new InProcessThreadLock();
    this.cleanups = new CleanupRegistry(this.threadLock);
    this.turnLimits = {
      cancelGraceMs: positiveMs("cancelGraceMs", options.cancelGraceMs, DEFAULT_CANCEL_GRACE_MS),
      maxTurnMs: positiveMs("maxTurnMs", options.maxTurnMs, DEFAULT_MAX_TURN_MS),
    };
    this.jsonLimits = {
      maxDepth: options.jsonLimits?.maxDepth ?? DEFAULT_JSON_LIMITS.maxDepth,
      maxLength: options.jsonLimits?.maxLength ?? DEFAULT_JSON_LIMITS.maxLength,
    };
  }

  /**
   * Streams the answer to a user message. `input` is null when the turn continues without a new
   * message (a client tool output, a structured input). Mutate `thread` to change its title,
   * status or metadata: the change is saved and announced.
   */
  abstract respond(
    thread: ThreadMetadata,
    input: UserMessageItem | null,
    context: TContext,
    turn: Turn,
  ): AsyncIterable<ThreadStreamEvent>;

  /** Handles a streaming widget action (`threads.custom_action`). `sender` is the widget that fired it. */
  // eslint-disable-next-line require-yield
  async *action(
    _thread: ThreadMetadata,
    _action: Action,
    _sender: WidgetItem | null,
    _context: TContext,
    _turn: Turn,
  ): AsyncIterable<ThreadStreamEvent> {
    throw notImplemented("threads.custom_action");
  }

  /** Handles a non-streaming widget action; return `{ updated_item }` to replace (and store) the sender. */
  syncAction(
    _thread: ThreadMetadata,
    _action: Action,
    _sender: WidgetItem | null,
    _context: TContext,
  ): Promise<SyncCustomActionResponse> {
    return Promise.reject(notImplemented("threads.sync_custom_action"));
  }

  /** Records thumbs up/down on items. Does nothing by default. */
  addFeedback(_threadId: string, _itemIds: string[], _kind: FeedbackKind, _context: TContext): Promise<void> {
    return Promise.resolve();
  }

  /** Turns dictated audio into text (`input.transcribe`). */
  transcribe(_audio: AudioInput, _context: TContext): Promise<TranscriptionResult> {
    return Promise.reject(notImplemented("input.transcribe"));
  }

  /** Options sent first in every stream; `allow_cancel` shows the client's Stop button. */
  getStreamOptions(_thread: ThreadMetadata, _context: TContext): StreamOptions {
    return { allow_cancel: true };
  }

  /**
   * Runs once after a stream is cancelled (Stop, a hang-up, `maxTurnMs`), with the items that
   * were added but not done — each with every streamed update applied. The default stores what
   * the user saw of them (see `partialItemsToKeep`), then a hidden note telling the model the
   * user cancelled (`userCancelledNote`). The next request on the thread, and a reload, wait until
   * this has finished.
   */
  handleStreamCancelled(thread: ThreadMetadata, pendingItems: ThreadItem[], context: TContext): Promise<void> {
    return keepWhatTheUserSaw(this.store, thread, pendingItems, userCancelledNote, context);
  }

  /**
   * Runs once after a turn failed — `respond` or `action` threw, yielded an invalid event, or a
   * store write failed — with the items that were added but not done, as `handleStreamCancelled`
   * gets them, and the error. The default keeps what the user saw the same way, then a hidden note
   * telling the model the previous answer failed midway (`streamFailedNote`). The client's `error`
   * event is sent once this has finished; the next request on the thread waits for it too.
   */
  handleStreamError(thread: ThreadMetadata, pendingItems: ThreadItem[], _error: unknown, context: TContext): Promise<void> {
    return keepWhatTheUserSaw(this.store, thread, pendingItems, streamFailedNote, context);
  }

  /**
   * Handles one request body. Validates it and loads what it names before returning, throwing a
   * `RequestError` (400 invalid, 404 unknown thread/item/attachment, 409 wrong state or an id that
   * exists) when that fails; once a stream has started every failure becomes an `error` event.
   */
  async process(
    body: string | Uint8Array,
    context: TContext,
    options: ProcessOptions = {},
  ): Promise<StreamingResult | NonStreamingResult> {
    const request = parseRequest(body, this.jsonLimits);
    try {
      if (!isStreamingRequest(request)) {
        return new NonStreamingResult(await handleNonStreamingRequest(this, request, context));
      }
      const { signal } = options;
      // A new thread's id is chosen first, so that its first turn holds its lock from the start.
      const threadId = request.type === "threads.create" ? this.store.generateThreadId(context) : request.params.thread_id;
      const release = await this.threadLock.acquire(threadId, signal);
      const turn = new AbortController();
      try {
        const plan = await prepareStream(this, request, context, { signal: turn.signal }, threadId);
        return new StreamingResult(new TurnStream(this, context, plan, { threadId, turn, release, signal }));
      } catch (error) {
        await release();
        throw error;
      }
    } catch (error) {
      if (error instanceof NotFoundError) throw new RequestError(404, error.message, { cause: error });
      if (error instanceof ConflictError) throw new RequestError(409, error.message, { cause: error });
      throw error;
    }
  }
}
