import type { PageOrder } from "../store.js";

/*
 * The SQL of SQLiteStore. Owners compare with `IS`, which matches NULL (no owner) and can still
 * use the indexes. Exported for the tests that check query plans.
 */

export const SQL = {
  loadThread: "SELECT data FROM chatkit_threads WHERE id = ? AND owner IS ?",
  // An existing thread keeps its owner and position; another owner's thread is left alone
  // (no row changes) and reported as missing.
  saveThread: `INSERT INTO chatkit_threads (id, owner, created_ms, data) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE chatkit_threads.owner IS excluded.owner`,
  insertThread: "INSERT INTO chatkit_threads (id, owner, created_ms, data) VALUES (?, ?, ?, ?)",
  threadPosition: "SELECT created_ms, seq FROM chatkit_threads WHERE id = ? AND owner IS ?",
  deleteThread: "DELETE FROM chatkit_threads WHERE id = ? AND owner IS ?",
  deleteThreadAttachments: "DELETE FROM chatkit_attachments WHERE thread_id = ?",
  itemPosition: "SELECT created_ms, seq FROM chatkit_items WHERE thread_id = ? AND id = ?",
  // An existing item keeps its position (created_ms, seq); only its JSON changes. A new item whose
  // id another thread has changes no row: the caller reports the conflict. (Files from before the
  // check may hold an id in two threads; each thread still updates its own.)
  upsertItem: `INSERT INTO chatkit_items (thread_id, id, created_ms, data)
    SELECT @thread_id, @id, @created_ms, @data
    WHERE NOT EXISTS (SELECT 1 FROM chatkit_items WHERE id = @id AND thread_id <> @thread_id)
      OR EXISTS (SELECT 1 FROM chatkit_items WHERE thread_id = @thread_id AND id = @id)
    ON CONFLICT (thread_id, id) DO UPDATE SET data = excluded.data`,
  loadItem: "SELECT data FROM chatkit_items WHERE thread_id = ? AND id = ?",
  deleteItem: "DELETE FROM chatkit_items WHERE thread_id = ? AND id = ?",
  saveAttachment: `INSERT INTO chatkit_attachments (id, owner, thread_id, data) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, data = excluded.data
    WHERE chatkit_attachments.owner IS excluded.owner`,
  insertAttachment: "INSERT INTO chatkit_attachments (id, owner, thread_id, data) VALUES (?, ?, ?, ?)",
  loadAttachment: "SELECT data FROM chatkit_attachments WHERE id = ? AND owner IS ?",
  deleteAttachment: "DELETE FROM chatkit_attachments WHERE id = ? AND owner IS ?",
} as const;

/**
 * A page query over `table` rows matching `scope` (one `?`), in `order`, optionally after a cursor
 * position `(created_ms, seq)` (two more `?`), then `LIMIT ?`. The row-value comparison walks the
 * `(scope, created_ms, seq)` index from the cursor on.
 */
export function pageSql(
  table: "chatkit_threads" | "chatkit_items",
  order: PageOrder,
  withCursor: boolean,
): string {
  const scope = table === "chatkit_threads" ? "owner IS ?" : "thread_id = ?";
  const direction = order === "asc" ? "ASC" : "DESC";
  const cursor = withCursor ? ` AND (created_ms, seq) ${order === "asc" ? ">" : "<"} (?, ?)` : "";
  return `SELECT data FROM ${table} WHERE ${scope}${cursor} ORDER BY created_ms ${direction}, seq ${direction} LIMIT ?`;
}
