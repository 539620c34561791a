import type { Attachment, AttachmentCreateParams } from "../protocol/attachment.js";
import type { ThreadItem } from "../protocol/items.js";
import type { Page, ThreadMetadata } from "../protocol/thread.js";
import { attachmentExists, NotFoundError, threadExists } from "./errors.js";
import { defaultGenerateId, type StoreItemType } from "./ids.js";
import type { ThreadLock } from "./thread-lock.js";

/** Sort order of a page: `asc` is oldest first, `desc` newest first. */
export type PageOrder = "asc" | "desc";

/** What `createThread` stores together with a new thread. */
export interface NewThreadRecords {
  /** Saved as `saveAttachment` does, e.g. linked to the new thread. */
  attachments?: readonly Attachment[];
  /** Appended in order, as `addThreadItem` does. */
  items?: readonly ThreadItem[];
}

const isNotFound = (error: unknown) => error instanceof NotFoundError;

/** What `load` gives, or `undefined` when it throws `NotFoundError`. */
const ifFound = <T>(load: Promise<T>): Promise<T | undefined> =>
  load.catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });

/**
 * Persistence for threads, items and attachment metadata — the contract of the Python SDK's
 * `Store`, method for method in camelCase. Every method takes the request context last, for
 * tenancy: a record the context may not see behaves as missing.
 *
 * Pagination (`loadThreads`, `loadThreadItems`): entries sorted by `created_at`, ties broken by
 * insertion order; `after` is an exclusive cursor (an id); `has_more` tells whether more follow;
 * `after` in the result is the last id when `has_more`. An unknown cursor throws `NotFoundError`.
 */
export abstract class Store<TContext = unknown> {
  /**
   * Cross-process turn lock, for stores shared by several server instances. When absent the
   * server serializes turns per thread within its own process.
   */
  readonly threadLock?: ThreadLock;

  /** A new thread id; `thr_` + 24 hex (96 random bits) by default. */
  generateThreadId(_context: TContext): string {
    return defaultGenerateId("thread");
  }

  /** A new item id for `itemType`; `msg_`, `tc_`, `wf_`, `tsk_` or `shcx_` + 24 hex by default. */
  generateItemId(itemType: StoreItemType, _thread: ThreadMetadata, _context: TContext): string {
    return defaultGenerateId(itemType);
  }

  /** The thread; throws `NotFoundError` when it is missing or not visible to `context`. */
  abstract loadThread(threadId: string, context: TContext): Promise<ThreadMetadata>;
  /**
   * Inserts or updates the thread's metadata (never its items). Another owner's thread is not
   * touched: `NotFoundError`.
   */
  abstract saveThread(thread: ThreadMetadata, context: TContext): Promise<void>;

  /**
   * Stores a new thread with its first records, all or nothing: inserts `thread`, saves
   * `attachments` and appends `items`. Throws `ConflictError` when a thread with this id exists,
   * for any owner (a new thread is never merged into another); when any write fails, nothing is
   * left behind — no thread, attachments as they were.
   *
   * This default runs `loadThread`, `saveThread`, `saveAttachment` and `addThreadItem`, and undoes
   * its writes when one fails; it is not atomic against a concurrent write of the same ids. The
   * shipped stores override it with one transaction.
   */
  async createThread(thread: ThreadMetadata, records: NewThreadRecords, context: TContext): Promise<void> {
    if (await ifFound(this.loadThread(thread.id, context))) throw threadExists(thread.id);
    // NotFound here: the id belongs to a thread of another owner.
    await this.saveThread(thread, context).catch((error: unknown) => {
      throw isNotFound(error) ? threadExists(thread.id) : error;
    });
    const previous: { id: string; attachment: Attachment | undefined }[] = [];
    try {
      for (const attachment of records.attachments ?? []) {
        previous.push({ id: attachment.id, attachment: await ifFound(this.loadAttachment(attachment.id, context)) });
        await this.saveAttachment(attachment, context);
      }
      for (const item of records.items ?? []) await this.addThreadItem(thread.id, item, context);
    } catch (error) {
      try {
        // Attachments first: deleting the thread deletes those linked to it.
        for (const { id, attachment } of previous.reverse()) {
          if (attachment) await this.saveAttachment(attachment, context);
          else await this.deleteAttachment(id, context);
        }
        await this.deleteThread(thread.id, context);
      } catch (undoError) {
        throw new AggregateError([error, undoError], `Creating thread ${thread.id} failed, and undoing it failed too`);
      }
      throw error;
    }
  }

  /** A page of the thread's items, hidden ones included; an unknown thread gives an empty page. */
  abstract loadThreadItems(
    threadId: string,
    after: string | undefined,
    limit: number,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadItem>>;
  /**
   * Appends an item; an item of this thread with the same id is replaced in place, keeping its
   * position. An id that another thread's item has throws `ConflictError`.
   */
  abstract addThreadItem(threadId: string, item: ThreadItem, context: TContext): Promise<void>;
  /** Upserts an item by id, keeping the position of an existing one; as `addThreadItem`. */
  abstract saveItem(threadId: string, item: ThreadItem, context: TContext): Promise<void>;
  /** The item; throws `NotFoundError` when missing, in another thread, or not visible. */
  abstract loadItem(threadId: string, itemId: string, context: TContext): Promise<ThreadItem>;
  /** Deletes an item; a missing one is not an error. */
  abstract deleteThreadItem(threadId: string, itemId: string, context: TContext): Promise<void>;
  /** A page of the threads visible to `context`. */
  abstract loadThreads(
    limit: number,
    after: string | undefined,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadMetadata>>;
  /** Deletes the thread and its items; a missing thread is not an error. */
  abstract deleteThread(threadId: string, context: TContext): Promise<void>;
  /**
   * Upserts attachment metadata, `metadata` included. Another owner's attachment is not touched:
   * `NotFoundError`.
   */
  abstract saveAttachment(attachment: Attachment, context: TContext): Promise<void>;

  /**
   * Stores a new attachment: `ConflictError` when its id exists, for any owner. This default
   * checks with `loadAttachment`, then runs `saveAttachment` (not atomic against a concurrent
   * write of the same id); the shipped stores insert.
   */
  async addAttachment(attachment: Attachment, context: TContext): Promise<void> {
    if (await ifFound(this.loadAttachment(attachment.id, context))) throw attachmentExists(attachment.id);
    await this.saveAttachment(attachment, context).catch((error: unknown) => {
      throw isNotFound(error) ? attachmentExists(attachment.id) : error;
    });
  }
  /** The attachment; throws `NotFoundError` when missing or not visible. */
  abstract loadAttachment(attachmentId: string, context: TContext): Promise<Attachment>;
  /** Deletes attachment metadata; a missing one is not an error. */
  abstract deleteAttachment(attachmentId: string, context: TContext): Promise<void>;
}

/**
 * Stores the bytes of attachments (the metadata lives in `Store`). Needed for
 * `attachments.create` and `attachments.delete`.
 */
export abstract class AttachmentStore<TContext = unknown> {
  /** Deletes the stored bytes; the server then deletes the metadata from the `Store`. */
  abstract deleteAttachment(attachmentId: string, context: TContext): Promise<void>;

  /**
   * Two-phase upload: returns a new attachment, usually with an `upload_descriptor` and, for
   * images, a `preview_url`. Must not save it; the server does.
   */
  createAttachment(_params: AttachmentCreateParams, _context: TContext): Promise<Attachment> {
    return Promise.reject(
      new Error(`${this.constructor.name} must override createAttachment() to support two-phase file upload`),
    );
  }

  /** A new attachment id; `atc_` + 24 hex by default. */
  generateAttachmentId(_mimeType: string, _context: TContext): string {
    return defaultGenerateId("attachment");
  }
}
