import type Database from "better-sqlite3";
import { createRequire } from "node:module";
import { optionalPeerError } from "../../optional-peer.js";
import type { Attachment } from "../../protocol/attachment.js";
import type { ThreadItem } from "../../protocol/items.js";
import type { Page, ThreadMetadata } from "../../protocol/thread.js";
import type { StoreOptions } from "../memory.js";
import { checkStoreOptions, describeValue } from "../options.js";
import { notFound, pageSize } from "../pagination.js";
import { attachmentRow, fromData, itemRow, ownerValue, pageFromRows, threadRow } from "../sql-records.js";
import { attachmentExists, itemIdTaken, threadExists } from "../errors.js";
import { assertStorable } from "../storable.js";
import { Store, type NewThreadRecords, type PageOrder } from "../store.js";
import { migrate } from "./schema.js";
import { pageSql, SQL } from "./statements.js";

/** Options of `SQLiteStore`. */
export interface SQLiteStoreOptions<TContext> extends StoreOptions<TContext> {
  /** The database file (created if missing), or `":memory:"` for a private in-memory database. */
  path: string;
}

type Statement = Database.Statement<unknown[], unknown>;

const constraintCode = (error: unknown): unknown => (error as { code?: unknown }).code;

const require = createRequire(import.meta.url);

/** `better-sqlite3`, an optional peer dependency: loaded when the first SQLiteStore opens. */
function loadBetterSqlite3(): typeof Database {
  try {
    return require("better-sqlite3") as typeof Database;
  } catch (error) {
    throw optionalPeerError(error, "better-sqlite3", "SQLiteStore");
  }
}

interface Position {
  created_ms: number;
  seq: number;
}

/**
 * A `Store` in one SQLite file, through `better-sqlite3`: the embedded default for a single server
 * process. The schema is created or migrated on open; the file uses WAL, so readers never block
 * the writer. Pages walk `(scope, created_ms, seq)` indexes, so their cost does not grow with the
 * size of a thread or of the thread list.
 *
 * better-sqlite3 is synchronous: each call runs to completion before it returns its promise, so
 * calls never interleave within the process; across processes, foreign keys keep items from
 * outliving their thread.
 */
export class SQLiteStore<TContext = unknown> extends Store<TContext> {
  /** The underlying connection, for diagnostics and custom queries. */
  readonly db: Database.Database;
  readonly #owner: ((context: TContext) => string | undefined) | undefined;
  readonly #sql: { [K in keyof typeof SQL]: Statement };
  readonly #pages = new Map<string, Statement>();
  readonly #deleteThread: (threadId: string, owner: string | null) => void;
  readonly #createThread: (thread: ThreadMetadata, records: NewThreadRecords, owner: string | null) => void;

  constructor(options: SQLiteStoreOptions<TContext>) {
    super();
    const { path } = checkStoreOptions("SQLiteStore", options);
    // better-sqlite3 opens a temporary database for "" (and undefined): never what was meant.
    if (typeof path !== "string" || path === "") {
      throw new TypeError(
        `SQLiteStore needs a \`path\`: the database file (created if missing), or ":memory:" for a private in-memory database; got ${describeValue(path)}`,
      );
    }
    this.#owner = options.owner;
    const Database = loadBetterSqlite3();
    this.db = new Database(path);
    try {
      // WAL: concurrent readers, and a commit costs no fsync with synchronous=NORMAL (still
      // crash-safe; the last commits may be lost on power failure, never corrupted).
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("foreign_keys = ON");
      // Another process holding the write lock: wait for it instead of failing with SQLITE_BUSY.
      this.db.pragma("busy_timeout = 5000");
      migrate(this.db);
      this.#sql = Object.fromEntries(
        Object.entries(SQL).map(([name, text]) => [name, this.db.prepare(text)]),
      ) as { [K in keyof typeof SQL]: Statement };
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.#deleteThread = this.db.transaction((threadId: string, owner: string | null) => {
      // Items go with the thread through ON DELETE CASCADE.
      if (this.#sql.deleteThread.run(threadId, owner).changes > 0) {
        this.#sql.deleteThreadAttachments.run(threadId);
      }
    });
    // A throw inside rolls the whole creation back.
    this.#createThread = this.db.transaction((thread: ThreadMetadata, records: NewThreadRecords, owner: string | null) => {
      const row = threadRow(thread);
      try {
        this.#sql.insertThread.run(row.id, owner, row.created_ms, row.data);
      } catch (error) {
        if (constraintCode(error) === "SQLITE_CONSTRAINT_UNIQUE") throw threadExists(thread.id);
        throw error;
      }
      for (const attachment of records.attachments ?? []) this.#saveAttachmentRow(attachment, owner);
      for (const item of records.items ?? []) this.#upsertItem(thread.id, item);
    });
  }

  /** Closes the database. The store is unusable afterwards. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  #ownerOf(context: TContext): string | null {
    return ownerValue(this.#owner, context);
  }

  #visible(threadId: string, owner: string | null): boolean {
    return this.#sql.threadPosition.get(threadId, owner) !== undefined;
  }

  #page<T>(
    table: "chatkit_threads" | "chatkit_items",
    scope: string | null,
    cursor: Position | undefined,
    limit: number,
    order: PageOrder,
  ): Page<T> {
    const key = `${table}:${order}:${cursor !== undefined}`;
    let statement = this.#pages.get(key);
    if (!statement) {
      statement = this.db.prepare(pageSql(table, order, cursor !== undefined));
      this.#pages.set(key, statement);
    }
    const size = pageSize(limit);
    const params = cursor ? [scope, cursor.created_ms, cursor.seq, size + 1] : [scope, size + 1];
    return pageFromRows<T>(statement.all(...params) as { data: string }[], size);
  }

  async loadThread(threadId: string, context: TContext): Promise<ThreadMetadata> {
    const row = this.#sql.loadThread.get(threadId, this.#ownerOf(context)) as { data: string } | undefined;
    if (!row) throw notFound("Thread", threadId);
    return fromData<ThreadMetadata>(row.data);
  }

  override async createThread(thread: ThreadMetadata, records: NewThreadRecords, context: TContext): Promise<void> {
    assertStorable("Thread", thread);
    for (const attachment of records.attachments ?? []) assertStorable("Attachment", attachment);
    for (const item of records.items ?? []) assertStorable("Item", item);
    this.#createThread(thread, records, this.#ownerOf(context));
  }

  async saveThread(thread: ThreadMetadata, context: TContext): Promise<void> {
    assertStorable("Thread", thread);
    const row = threadRow(thread);
    const result = this.#sql.saveThread.run(row.id, this.#ownerOf(context), row.created_ms, row.data);
    if (result.changes === 0) throw notFound("Thread", thread.id);
  }

  async loadThreadItems(
    threadId: string,
    after: string | undefined,
    limit: number,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadItem>> {
    if (!this.#visible(threadId, this.#ownerOf(context))) return { data: [], has_more: false };
    let cursor: Position | undefined;
    if (after !== undefined) {
      cursor = this.#sql.itemPosition.get(threadId, after) as Position | undefined;
      if (!cursor) throw notFound("Item", after);
    }
    return this.#page<ThreadItem>("chatkit_items", threadId, cursor, limit, order);
  }

  async addThreadItem(threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    if (!this.#visible(threadId, this.#ownerOf(context))) throw notFound("Thread", threadId);
    assertStorable("Item", item);
    try {
      this.#upsertItem(threadId, item);
    } catch (error) {
      // Another process deleted the thread between the check and the insert.
      if (constraintCode(error) === "SQLITE_CONSTRAINT_FOREIGNKEY") throw notFound("Thread", threadId);
      throw error;
    }
  }

  #upsertItem(threadId: string, item: ThreadItem): void {
    const row = itemRow(item);
    const result = this.#sql.upsertItem.run({ thread_id: threadId, id: row.id, created_ms: row.created_ms, data: row.data });
    if (result.changes === 0) throw itemIdTaken(item.id);
  }

  saveItem(threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    return this.addThreadItem(threadId, item, context);
  }

  async loadItem(threadId: string, itemId: string, context: TContext): Promise<ThreadItem> {
    const row = this.#visible(threadId, this.#ownerOf(context))
      ? (this.#sql.loadItem.get(threadId, itemId) as { data: string } | undefined)
      : undefined;
    if (!row) throw notFound("Item", itemId);
    return fromData<ThreadItem>(row.data);
  }

  async deleteThreadItem(threadId: string, itemId: string, context: TContext): Promise<void> {
    if (this.#visible(threadId, this.#ownerOf(context))) this.#sql.deleteItem.run(threadId, itemId);
  }

  async loadThreads(
    limit: number,
    after: string | undefined,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadMetadata>> {
    const owner = this.#ownerOf(context);
    let cursor: Position | undefined;
    if (after !== undefined) {
      cursor = this.#sql.threadPosition.get(after, owner) as Position | undefined;
      if (!cursor) throw notFound("Thread", after);
    }
    return this.#page<ThreadMetadata>("chatkit_threads", owner, cursor, limit, order);
  }

  async deleteThread(threadId: string, context: TContext): Promise<void> {
    this.#deleteThread(threadId, this.#ownerOf(context));
  }

  async saveAttachment(attachment: Attachment, context: TContext): Promise<void> {
    assertStorable("Attachment", attachment);
    this.#saveAttachmentRow(attachment, this.#ownerOf(context));
  }

  #saveAttachmentRow(attachment: Attachment, owner: string | null): void {
    const row = attachmentRow(attachment);
    const result = this.#sql.saveAttachment.run(row.id, owner, row.thread_id, row.data);
    if (result.changes === 0) throw notFound("Attachment", attachment.id);
  }

  override async addAttachment(attachment: Attachment, context: TContext): Promise<void> {
    assertStorable("Attachment", attachment);
    const row = attachmentRow(attachment);
    try {
      this.#sql.insertAttachment.run(row.id, this.#ownerOf(context), row.thread_id, row.data);
    } catch (error) {
      if (constraintCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY") throw attachmentExists(attachment.id);
      throw error;
    }
  }

  async loadAttachment(attachmentId: string, context: TContext): Promise<Attachment> {
    const row = this.#sql.loadAttachment.get(attachmentId, this.#ownerOf(context)) as { data: string } | undefined;
    if (!row) throw notFound("Attachment", attachmentId);
    return fromData<Attachment>(row.data);
  }

  async deleteAttachment(attachmentId: string, context: TContext): Promise<void> {
    this.#sql.deleteAttachment.run(attachmentId, this.#ownerOf(context));
  }
}
