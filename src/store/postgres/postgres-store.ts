import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";
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
import { assertStorable, isStorableId } from "../storable.js";
import { Store, type NewThreadRecords, type PageOrder } from "../store.js";
import { migrate, tablesIn, type Tables } from "./schema.js";
import { PostgresThreadLock, type HeldLockSession } from "./thread-lock.js";

/**
 * Options of `PostgresStore`: a `pool` or a `connectionString` is required. To connect with the
 * `PG*` environment variables, pass `pool: new pg.Pool()`.
 */
export interface PostgresStoreOptions<TContext> extends StoreOptions<TContext> {
  /** e.g. `postgres://user:pass@host:5432/db`; the store creates (and `close()` ends) its pools. */
  connectionString?: string;
  /** A pool of yours; the store never ends it. Takes precedence over `connectionString`. */
  pool?: Pool;
  /**
   * Where thread-lock connections come from. Each turn in flight holds one connection for its
   * whole stream, so by default a store that creates its pool also creates a separate lock pool
   * (up to `maxLockConnections`), and queries never starve behind held locks. With your own
   * `pool` and no `lockPool`, locks share your pool: size its `max` for both.
   */
  lockPool?: Pool;
  /** Size of the lock pool the store creates (turns in flight per process). Default 50. */
  maxLockConnections?: number;
  /** The PostgreSQL schema of the tables, created if missing. Default `public`. */
  schema?: string;
}

const require = createRequire(import.meta.url);

/** `pg`, an optional peer dependency: loaded when the first PostgresStore is created. */
function loadPg(): typeof import("pg") {
  try {
    return require("pg") as typeof import("pg");
  } catch (error) {
    throw optionalPeerError(error, "pg", "PostgresStore");
  }
}

/** Checks the options a PostgresStore needs, naming the one that is wrong. */
function checkPostgresOptions(options: unknown): void {
  const record = checkStoreOptions("PostgresStore", options);
  const { pool, lockPool, connectionString, maxLockConnections } = record;
  for (const [name, value] of [["pool", pool], ["lockPool", lockPool]] as const) {
    if (value !== undefined && typeof (value as Partial<Pool> | null)?.connect !== "function") {
      throw new TypeError(`PostgresStore: \`${name}\` must be a pg.Pool; got ${describeValue(value)}`);
    }
  }
  if (pool === undefined && (typeof connectionString !== "string" || connectionString === "")) {
    let problem = "";
    if ("connectionString" in record) {
      problem =
        connectionString === undefined
          ? "; connectionString is undefined (is the environment variable set?)"
          : `; connectionString is ${describeValue(connectionString)}`;
    }
    throw new TypeError(
      `PostgresStore needs a \`pool\` (a pg.Pool) or a \`connectionString\` (postgres://user:pass@host:5432/db)${problem}`,
    );
  }
  if (maxLockConnections !== undefined && !(Number.isInteger(maxLockConnections) && (maxLockConnections as number) > 0)) {
    throw new TypeError(
      `PostgresStore: \`maxLockConnections\` must be a positive integer; got ${describeValue(maxLockConnections)}`,
    );
  }
}

/** A foreign-key violation: the thread of an inserted item was deleted concurrently. */
const FOREIGN_KEY_VIOLATION = "23503";
/** A unique violation: the id of an inserted thread or attachment exists. */
const UNIQUE_VIOLATION = "23505";

const errorCode = (error: unknown): unknown => (error as { code?: unknown }).code;

/** A pool, the client of a transaction, or a held lock's session. */
interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * Queries on the session that holds a thread's lock. A session-level advisory lock lasts exactly
 * as long as its session, so a write that succeeds here was made under the lock; once the session
 * is gone (killed, failed over) every query is refused with `ThreadLockLostError` — another process
 * may hold the thread by then.
 */
function fenced(session: HeldLockSession): Queryable {
  return {
    async query<R extends QueryResultRow>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      session.lost.throwIfAborted();
      try {
        return await session.client.query<R>(text, params);
      } catch (error) {
        // A statement error (a constraint, a bad value) leaves the session as it was; anything
        // else (FATAL, a broken connection) means the session, and the lock with it, may be gone.
        if ((error as { severity?: unknown }).severity === "ERROR") throw error;
        session.markLost(error);
        throw session.lost.reason;
      }
    },
  };
}

/**
 * A `Store` in PostgreSQL, through `pg`: for several server processes sharing one database.
 * Records are `jsonb`; pages walk `(scope, created_ms, seq)` indexes. The schema is created or
 * migrated on first use, safely when several instances start at once. `threadLock` serializes
 * the turns of a thread across all processes using the database (advisory locks); while this
 * process holds a thread's lock, its writes to that thread run on the lock's own session, so a
 * turn whose lock was lost can no longer write (`ThreadLockLostError`).
 */
export class PostgresStore<TContext = unknown> extends Store<TContext> {
  override readonly threadLock: PostgresThreadLock;
  readonly #pool: Pool;
  readonly #owned: Pool[] = [];
  readonly #owner: ((context: TContext) => string | undefined) | undefined;
  readonly #schema: string;
  readonly #t: Tables;
  #migration: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions<TContext>) {
    super();
    checkPostgresOptions(options);
    const pg = loadPg();
    this.#owner = options.owner;
    this.#schema = options.schema ?? "public";
    this.#t = tablesIn(this.#schema);
    this.#pool = options.pool ?? this.#own(new pg.Pool({ connectionString: options.connectionString }));
    const lockPool =
      options.lockPool ??
      (options.pool
        ? options.pool
        : this.#own(
            new pg.Pool({
              connectionString: options.connectionString,
              max: options.maxLockConnections ?? 50,
              idleTimeoutMillis: 5_000,
              // A held lock's connection may sit idle for a whole turn: TCP keep-alive notices a
              // dead peer (and so a lost lock) even when nothing is written.
              keepAlive: true,
              keepAliveInitialDelayMillis: 10_000,
            }),
          ));
    this.threadLock = new PostgresThreadLock(lockPool, this.#schema, this.#pool);
  }

  #own(pool: Pool): Pool {
    // An idle connection that drops emits "error" on the pool; unhandled, that would crash the
    // process. The pool has already discarded it, and the next query opens a new one.
    pool.on("error", () => undefined);
    this.#owned.push(pool);
    return pool;
  }

  /** Ends the pools the store created (not a `pool` or `lockPool` passed in). */
  async close(): Promise<void> {
    const owned = this.#owned.splice(0);
    await Promise.all(owned.map((pool) => pool.end()));
  }

  /** Creates or migrates the schema now instead of on first use, e.g. to fail fast at startup. */
  migrate(): Promise<void> {
    this.#migration ??= (async () => {
      const client = await this.#pool.connect();
      try {
        await migrate(client, this.#schema);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      this.#migration = undefined; // let the next call retry
      throw error;
    });
    return this.#migration;
  }

  async #query<R extends QueryResultRow>(text: string, params: unknown[]): Promise<QueryResult<R>> {
    await this.migrate();
    return this.#pool.query<R>(text, params);
  }

  /**
   * Where writes to the records of `threadId` run: on the session of the thread's lock while this
   * process holds it (see `fenced`), else on the pool.
   */
  #writer(threadId: string | undefined): Queryable {
    const session = threadId === undefined ? undefined : this.threadLock.session(threadId);
    return session ? fenced(session) : this.#pool;
  }

  async #write(threadId: string | undefined, text: string, params: unknown[]): Promise<QueryResult> {
    await this.migrate();
    return this.#writer(threadId).query(text, params);
  }

  /**
   * Runs `work` in one transaction on one connection — the session of `threadId`'s lock while this
   * process holds it; a throw rolls it back.
   */
  async #transaction(threadId: string, work: (db: Queryable) => Promise<void>): Promise<void> {
    await this.migrate();
    const session = this.threadLock.session(threadId);
    let client: PoolClient | undefined;
    const db = session ? fenced(session) : (client = await this.#pool.connect());
    try {
      await db.query("BEGIN");
      await work(db);
      await db.query("COMMIT");
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client?.release();
    }
  }

  /** `column` matches the context's owner; pushes the parameter. `IS NULL` keeps indexes usable. */
  #ownerIs(column: string, context: TContext, params: unknown[]): string {
    const owner = ownerValue(this.#owner, context);
    if (owner === null) return `${column} IS NULL`;
    params.push(owner);
    return `${column} = $${params.length}`;
  }

  /** SQL true when `threadId` (already parameter `$1`) is a thread visible to `context`. */
  #visible(context: TContext, params: unknown[]): string {
    return `EXISTS (SELECT 1 FROM ${this.#t.threads} t WHERE t.id = $1 AND ${this.#ownerIs("t.owner", context, params)})`;
  }

  async loadThread(threadId: string, context: TContext): Promise<ThreadMetadata> {
    if (!isStorableId(threadId)) throw notFound("Thread", threadId);
    const params: unknown[] = [threadId];
    const { rows } = await this.#query<{ data: unknown }>(
      `SELECT data FROM ${this.#t.threads} WHERE id = $1 AND ${this.#ownerIs("owner", context, params)}`,
      params,
    );
    if (!rows[0]) throw notFound("Thread", threadId);
    return fromData<ThreadMetadata>(rows[0].data);
  }

  async saveThread(thread: ThreadMetadata, context: TContext): Promise<void> {
    assertStorable("Thread", thread);
    const row = threadRow(thread);
    // An existing thread keeps its owner and position; another owner's thread is left alone
    // (no row changes) and reported as missing.
    const result = await this.#write(
      thread.id,
      `INSERT INTO ${this.#t.threads} AS t (id, owner, created_ms, data) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data WHERE t.owner IS NOT DISTINCT FROM EXCLUDED.owner`,
      [row.id, ownerValue(this.#owner, context), row.created_ms, row.data],
    );
    if (result.rowCount === 0) throw notFound("Thread", thread.id);
  }

  override async createThread(thread: ThreadMetadata, records: NewThreadRecords, context: TContext): Promise<void> {
    assertStorable("Thread", thread);
    for (const attachment of records.attachments ?? []) assertStorable("Attachment", attachment);
    for (const item of records.items ?? []) assertStorable("Item", item);
    const owner = ownerValue(this.#owner, context);
    await this.#transaction(thread.id, async (client) => {
      const row = threadRow(thread);
      try {
        await client.query(
          `INSERT INTO ${this.#t.threads} (id, owner, created_ms, data) VALUES ($1, $2, $3, $4::jsonb)`,
          [row.id, owner, row.created_ms, row.data],
        );
      } catch (error) {
        if (errorCode(error) === UNIQUE_VIOLATION) throw threadExists(thread.id);
        throw error;
      }
      for (const attachment of records.attachments ?? []) await this.#saveAttachment(client, attachment, owner);
      for (const item of records.items ?? []) await this.#upsertItem(client, thread.id, item, context);
    });
  }

  async loadThreadItems(
    threadId: string,
    after: string | undefined,
    limit: number,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadItem>> {
    if (!isStorableId(threadId)) return { data: [], has_more: false };
    if (after !== undefined && !isStorableId(after)) throw notFound("Item", after);
    const size = pageSize(limit);
    const params: unknown[] = [threadId, size + 1];
    const visible = this.#visible(context, params);
    let cursor = "";
    if (after !== undefined) {
      params.push(after);
      cursor = `AND (i.created_ms, i.seq) ${order === "asc" ? ">" : "<"}
        (SELECT c.created_ms, c.seq FROM ${this.#t.items} c WHERE c.thread_id = $1 AND c.id = $${params.length})`;
    }
    const direction = order === "asc" ? "ASC" : "DESC";
    const { rows } = await this.#query<{ data: unknown }>(
      `SELECT i.data FROM ${this.#t.items} i WHERE i.thread_id = $1 AND ${visible} ${cursor}
       ORDER BY i.created_ms ${direction}, i.seq ${direction} LIMIT $2`,
      params,
    );
    // One round trip in the common case; an empty page may hide an unknown cursor.
    if (rows.length === 0 && after !== undefined) {
      const checkParams: unknown[] = [threadId, after];
      const check = await this.#query<{ visible: boolean; cursor: boolean }>(
        `SELECT ${this.#visible(context, checkParams)} AS visible,
           EXISTS (SELECT 1 FROM ${this.#t.items} WHERE thread_id = $1 AND id = $2) AS cursor`,
        checkParams,
      );
      if (check.rows[0]?.visible && !check.rows[0].cursor) throw notFound("Item", after);
    }
    return pageFromRows<ThreadItem>(rows, size);
  }

  async addThreadItem(threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    if (!isStorableId(threadId)) throw notFound("Thread", threadId);
    assertStorable("Item", item);
    await this.migrate();
    await this.#upsertItem(this.#writer(threadId), threadId, item, context);
  }

  /**
   * Inserts the item, or updates the thread's item of that id in place (keeping its position).
   * Changes no row for a thread `context` may not see, or for a new item whose id another thread
   * has; a second query tells which. (A schema from before that check may hold an id in two
   * threads; each thread still updates its own.)
   */
  async #upsertItem(db: Queryable, threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    const row = itemRow(item);
    const params: unknown[] = [threadId, row.id, row.created_ms, row.data];
    let result: QueryResult;
    try {
      result = await db.query(
        `INSERT INTO ${this.#t.items} (thread_id, id, created_ms, data)
         SELECT $1::text, $2::text, $3::bigint, $4::jsonb WHERE ${this.#visible(context, params)}
           AND (NOT EXISTS (SELECT 1 FROM ${this.#t.items} o WHERE o.id = $2 AND o.thread_id <> $1)
                OR EXISTS (SELECT 1 FROM ${this.#t.items} s WHERE s.thread_id = $1 AND s.id = $2))
         ON CONFLICT (thread_id, id) DO UPDATE SET data = EXCLUDED.data`,
        params,
      );
    } catch (error) {
      if (errorCode(error) === FOREIGN_KEY_VIOLATION) throw notFound("Thread", threadId);
      throw error;
    }
    if (result.rowCount !== 0) return;
    const checkParams: unknown[] = [threadId];
    const check = await db.query<{ visible: boolean }>(`SELECT ${this.#visible(context, checkParams)} AS visible`, checkParams);
    throw check.rows[0]?.visible ? itemIdTaken(item.id) : notFound("Thread", threadId);
  }

  saveItem(threadId: string, item: ThreadItem, context: TContext): Promise<void> {
    return this.addThreadItem(threadId, item, context);
  }

  async loadItem(threadId: string, itemId: string, context: TContext): Promise<ThreadItem> {
    if (!isStorableId(threadId) || !isStorableId(itemId)) throw notFound("Item", itemId);
    const params: unknown[] = [threadId, itemId];
    const { rows } = await this.#query<{ data: unknown }>(
      `SELECT data FROM ${this.#t.items} WHERE thread_id = $1 AND id = $2 AND ${this.#visible(context, params)}`,
      params,
    );
    if (!rows[0]) throw notFound("Item", itemId);
    return fromData<ThreadItem>(rows[0].data);
  }

  async deleteThreadItem(threadId: string, itemId: string, context: TContext): Promise<void> {
    if (!isStorableId(threadId) || !isStorableId(itemId)) return;
    const params: unknown[] = [threadId, itemId];
    await this.#write(
      threadId,
      `DELETE FROM ${this.#t.items} WHERE thread_id = $1 AND id = $2 AND ${this.#visible(context, params)}`,
      params,
    );
  }

  async loadThreads(
    limit: number,
    after: string | undefined,
    order: PageOrder,
    context: TContext,
  ): Promise<Page<ThreadMetadata>> {
    if (after !== undefined && !isStorableId(after)) throw notFound("Thread", after);
    const size = pageSize(limit);
    const params: unknown[] = [size + 1];
    const owner = this.#ownerIs("t.owner", context, params);
    let cursor = "";
    if (after !== undefined) {
      params.push(after);
      cursor = `AND (t.created_ms, t.seq) ${order === "asc" ? ">" : "<"}
        (SELECT c.created_ms, c.seq FROM ${this.#t.threads} c
         WHERE c.id = $${params.length} AND ${this.#ownerIs("c.owner", context, params)})`;
    }
    // Ordering by the constant `owner` too lets the planner walk the (owner, created_ms, seq)
    // index: `owner IS NULL`, unlike `=`, does not tell it the column is constant, and it would
    // sort the whole list.
    const direction = order === "asc" ? "ASC" : "DESC";
    const { rows } = await this.#query<{ data: unknown }>(
      `SELECT t.data FROM ${this.#t.threads} t WHERE ${owner} ${cursor}
       ORDER BY t.owner ${direction}, t.created_ms ${direction}, t.seq ${direction} LIMIT $1`,
      params,
    );
    if (rows.length === 0 && after !== undefined) {
      // An empty page may hide an unknown (or invisible) cursor.
      await this.loadThread(after, context).catch(() => Promise.reject(notFound("Thread", after)));
    }
    return pageFromRows<ThreadMetadata>(rows, size);
  }

  async deleteThread(threadId: string, context: TContext): Promise<void> {
    if (!isStorableId(threadId)) return;
    const params: unknown[] = [threadId];
    // One statement: the thread (its items by ON DELETE CASCADE), then its attachments.
    await this.#write(
      threadId,
      `WITH deleted AS (
         DELETE FROM ${this.#t.threads} WHERE id = $1 AND ${this.#ownerIs("owner", context, params)} RETURNING id
       )
       DELETE FROM ${this.#t.attachments} WHERE thread_id IN (SELECT id FROM deleted)`,
      params,
    );
  }

  async saveAttachment(attachment: Attachment, context: TContext): Promise<void> {
    assertStorable("Attachment", attachment);
    await this.migrate();
    await this.#saveAttachment(this.#writer(attachment.thread_id), attachment, ownerValue(this.#owner, context));
  }

  async #saveAttachment(db: Queryable, attachment: Attachment, owner: string | null): Promise<void> {
    const row = attachmentRow(attachment);
    const result = await db.query(
      `INSERT INTO ${this.#t.attachments} AS a (id, owner, thread_id, data) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE SET thread_id = EXCLUDED.thread_id, data = EXCLUDED.data
       WHERE a.owner IS NOT DISTINCT FROM EXCLUDED.owner`,
      [row.id, owner, row.thread_id, row.data],
    );
    if (result.rowCount === 0) throw notFound("Attachment", attachment.id);
  }

  override async addAttachment(attachment: Attachment, context: TContext): Promise<void> {
    assertStorable("Attachment", attachment);
    const row = attachmentRow(attachment);
    try {
      await this.#write(
        attachment.thread_id,
        `INSERT INTO ${this.#t.attachments} (id, owner, thread_id, data) VALUES ($1, $2, $3, $4::jsonb)`,
        [row.id, ownerValue(this.#owner, context), row.thread_id, row.data],
      );
    } catch (error) {
      if (errorCode(error) === UNIQUE_VIOLATION) throw attachmentExists(attachment.id);
      throw error;
    }
  }

  async loadAttachment(attachmentId: string, context: TContext): Promise<Attachment> {
    if (!isStorableId(attachmentId)) throw notFound("Attachment", attachmentId);
    const params: unknown[] = [attachmentId];
    const { rows } = await this.#query<{ data: unknown }>(
      `SELECT data FROM ${this.#t.attachments} WHERE id = $1 AND ${this.#ownerIs("owner", context, params)}`,
      params,
    );
    if (!rows[0]) throw notFound("Attachment", attachmentId);
    return fromData<Attachment>(rows[0].data);
  }

  async deleteAttachment(attachmentId: string, context: TContext): Promise<void> {
    if (!isStorableId(attachmentId)) return;
    const params: unknown[] = [attachmentId];
    await this.#query(
      `DELETE FROM ${this.#t.attachments} WHERE id = $1 AND ${this.#ownerIs("owner", context, params)}`,
      params,
    );
  }
}
