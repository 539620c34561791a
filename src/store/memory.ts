import type { Attachment } from "../protocol/attachment.js";
import type { ThreadItem } from "../protocol/items.js";
import type { Page, ThreadMetadata } from "../protocol/thread.js";
import { checkStoreOptions } from "./options.js";
import { insertOrdered, lowerBound, notFound, type Ordered, pageOf, timeOf } from "./pagination.js";
import { attachmentExists, itemIdTaken, threadExists } from "./errors.js";
import { assertStorable } from "./storable.js";
import { Store, type NewThreadRecords, type PageOrder } from "./store.js";

/** Options shared by the shipped stores. */
export interface StoreOptions<TContext> {
  /**
   * Scopes threads and attachments to an owner taken from the request context, e.g.
   * `(ctx) => ctx.userId`. Another owner's records behave as missing. Unset: one shared space.
   */
  owner?: (context: TContext) => string | undefined;
}

interface ThreadRecord {
  owner: string | undefined;
  entry: Ordered<ThreadMetadata>;
  items: Ordered<ThreadItem>[];
  itemsById: Map<string, Ordered<ThreadItem>>;
}

/**
 * A complete store in process memory: for tests, examples and single-process prototypes.
 * Values are copied in and out, so callers never share objects with the store.
 */
export class InMemoryStore<TContext = unknown> extends Store<TContext> {
  readonly #owner: (context: TContext) => string | undefined;
  /** Each owner's threads in page order, so a page costs O(log n), not a scan of every thread. */
  readonly #threadsByOwner = new Map<string | undefined, Ordered<ThreadMetadata>[]>();
  readonly #threadsById = new Map<string, ThreadRecord>();
  readonly #attachments = new Map<string, { owner: string | undefined; value: Attachment }>();
  /** The thread of every item id: an id belongs to one thread at a time. */
  readonly #itemThreads = new Map<string, string>();
  #seq = 0;

  constructor(options: StoreOptions<TContext> = {}) {
    super();
    checkStoreOptions("InMemoryStore", options);
    this.#owner = options.owner ?? (() => undefined);
  }

  #record(threadId: string, context: TContext): ThreadRecord | undefined {
    const record = this.#threadsById.get(threadId);
    return record && record.owner === this.#owner(context) ? record : undefined;
  }

  async loadThread(threadId: string, context: TContext): Promise<ThreadMetadata> {
    const record = this.#record(threadId, context);
    if (!record) throw notFound("Thread", threadId);
    return structuredClone(record.entry.value);
  }

  async saveThread(thread: ThreadMetadata, context: TContext): Promise<void> {
    assertStorable("Thread", thread);
    const owner = this.#owner(context);
    const existing = this.#threadsById.get(thread.id);
    if (!existing) {
      this.#insertThread(thread, owner);
      return;
    }
    if (existing.owner !== owner) throw notFound("Thread", thread.id);
    existing.entry.value = structuredClone(thread);
  }

  /**
   * Checks everything first, then writes synchronously: nothing can fail half-way, and no other
   * call runs in between.
   */
  override async createThread(thread: ThreadMetadata, records: NewThreadRecords, context: TContext): Promise<void> {
    const { attachments = [], items = [] } = records;
    assertStorable("Thread", thread);
    for (const attachment of attachments) assertStorable("Attachment", attachment);
    for (const item of items) assertStorable("Item", item);
    if (this.#threadsById.has(thread.id)) throw threadExists(thread.id);
    const owner = this.#owner(context);
    for (const attachment of attachments) this.#checkAttachmentOwner(attachment.id, owner);
    for (const item of items) this.#checkItemId(item.id, thread.id);
    const record = this.#insertThread(thread, owner);
    for (const attachment of attachments) this.#attachments.set(attachment.id, { owner, value: structuredClone(attachment) });
    for (const item of items) this.#putItem(record, item);
  }

  #insertThread(thread: ThreadMetadata, owner: string | undefined): ThreadRecord {
    const entry = { id: thread.id, time: timeOf(thread.created_at), seq: this.#seq++, value: structuredClone(thread) };
    let owned = this.#threadsByOwner.get(owner);
    if (!owned) this.#threadsByOwner.set(owner, (owned = []));
    insertOrdered(owned, entry);
    const record: ThreadRecord = { owner, entry, items: [], itemsById: new Map() };
    this.#threadsById.set(thread.id, record);
    return record;
  }

  /** An item id another thread uses cannot be added to this one. */
  #checkItemId(itemId: string, threadId: string): void {
    const owner = this.#itemThreads.get(itemId);
    if (owner !== undefined && owner !== threadId) throw itemIdTaken(itemId);
  }

  #checkAttachmentOwner(attachmentId: string, owner: string | undefined): void {
    const existing = this.#attachments.get(attachmentId);
    if (existing && existing.owner !== owner) throw notFound("Attachment", attachmentId);
  }

  /** Replaces the thread's item with this id in place, or appends it. */
  #putItem(record: ThreadRecord, item: ThreadItem): void {
    const existing = record.itemsById.get(item.id);
    if (existing) {
      existing.value = structuredClone(item);
      return;
    }
    const entry = { id: item.id, time: timeOf(item.created_at), seq: this.#seq++, value: structuredClone(item) };
    insertOrdered(record.items, entry);
    record.itemsById.set(item.id, entry);
    this.#itemThreads.set(item.id, record.entry.id);
  }

  async loadThreadItems(
    threadId: string,
    after: string | undefined,
    limit: number,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadItem>> {
    const record = this.#record(threadId, context);
    if (!record) return { data: [], has_more: false };
    const cursor = after === undefined ? undefined : record.itemsById.get(after);
    if (after !== undefined && !cursor) throw notFound("Item", after);
    return pageOf(record.items, cursor, limit, order, (item) => structuredClone(item));
  }

  async addThreadItem(threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    const record = this.#record(threadId, context);
    if (!record) throw notFound("Thread", threadId);
    assertStorable("Item", item);
    this.#checkItemId(item.id, threadId);
    this.#putItem(record, item);
  }

  saveItem(threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    return this.addThreadItem(threadId, item, context);
  }

  async loadItem(threadId: string, itemId: string, context: TContext): Promise<ThreadItem> {
    const entry = this.#record(threadId, context)?.itemsById.get(itemId);
    if (!entry) throw notFound("Item", itemId);
    return structuredClone(entry.value);
  }

  async deleteThreadItem(threadId: string, itemId: string, context: TContext): Promise<void> {
    const record = this.#record(threadId, context);
    const entry = record?.itemsById.get(itemId);
    if (!record || !entry) return;
    record.itemsById.delete(itemId);
    this.#itemThreads.delete(itemId);
    record.items.splice(record.items.indexOf(entry), 1);
  }

  async loadThreads(
    limit: number,
    after: string | undefined,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadMetadata>> {
    const visible = this.#threadsByOwner.get(this.#owner(context)) ?? [];
    const cursor = after === undefined ? undefined : this.#record(after, context)?.entry;
    if (after !== undefined && !cursor) throw notFound("Thread", after);
    return pageOf(visible, cursor, limit, order, (thread) => structuredClone(thread));
  }

  async deleteThread(threadId: string, context: TContext): Promise<void> {
    const record = this.#record(threadId, context);
    if (!record) return;
    this.#threadsById.delete(threadId);
    const owned = this.#threadsByOwner.get(record.owner)!;
    owned.splice(lowerBound(owned, record.entry), 1);
    for (const item of record.items) this.#itemThreads.delete(item.id);
    for (const [id, attachment] of this.#attachments) {
      if (attachment.value.thread_id === threadId) this.#attachments.delete(id);
    }
  }

  async saveAttachment(attachment: Attachment, context: TContext): Promise<void> {
    assertStorable("Attachment", attachment);
    const owner = this.#owner(context);
    this.#checkAttachmentOwner(attachment.id, owner);
    this.#attachments.set(attachment.id, { owner, value: structuredClone(attachment) });
  }

  override async addAttachment(attachment: Attachment, context: TContext): Promise<void> {
    assertStorable("Attachment", attachment);
    if (this.#attachments.has(attachment.id)) throw attachmentExists(attachment.id);
    this.#attachments.set(attachment.id, { owner: this.#owner(context), value: structuredClone(attachment) });
  }

  async loadAttachment(attachmentId: string, context: TContext): Promise<Attachment> {
    const record = this.#attachments.get(attachmentId);
    if (!record || record.owner !== this.#owner(context)) throw notFound("Attachment", attachmentId);
    return structuredClone(record.value);
  }

  async deleteAttachment(attachmentId: string, context: TContext): Promise<void> {
    const record = this.#attachments.get(attachmentId);
    if (record && record.owner === this.#owner(context)) this.#attachments.delete(attachmentId);
  }
}
