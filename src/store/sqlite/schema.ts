import type { Database } from "better-sqlite3";

/**
 * Schema migrations, applied in order on open; `chatkit_migrations` records the versions applied.
 * Append new migrations, never edit a shipped one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE chatkit_threads (
    seq INTEGER PRIMARY KEY,          -- rowid: insertion order, the tie-breaker of equal times
    id TEXT NOT NULL UNIQUE,
    owner TEXT,                       -- NULL: no owner
    created_ms INTEGER NOT NULL,
    data TEXT NOT NULL                -- the ThreadMetadata as JSON
  );
  CREATE INDEX chatkit_threads_page ON chatkit_threads (owner, created_ms, seq);

  CREATE TABLE chatkit_items (
    seq INTEGER PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES chatkit_threads (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    data TEXT NOT NULL,               -- the ThreadItem as JSON
    UNIQUE (thread_id, id)
  );
  CREATE INDEX chatkit_items_page ON chatkit_items (thread_id, created_ms, seq);

  CREATE TABLE chatkit_attachments (
    id TEXT PRIMARY KEY,
    owner TEXT,
    thread_id TEXT,                   -- set once used in a message; deleteThread removes these
    data TEXT NOT NULL                -- the Attachment as JSON, metadata included
  );
  CREATE INDEX chatkit_attachments_thread ON chatkit_attachments (thread_id);
  `,
  // Finds an item id in any thread: an id belongs to one thread at a time. Not UNIQUE, so a file
  // holding the same id in two threads (written before this version) still opens.
  `CREATE INDEX chatkit_items_id ON chatkit_items (id);`,
];

/** The schema version this code reads and writes. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/**
 * Brings the database to `SQLITE_SCHEMA_VERSION`. Runs in one IMMEDIATE transaction, so two
 * processes opening a new file at once migrate it once.
 */
export function migrate(db: Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS chatkit_migrations (
      version INTEGER PRIMARY KEY,
      applied_at TEXT NOT NULL
    )`);
    const row = db.prepare("SELECT coalesce(max(version), 0) AS version FROM chatkit_migrations").get() as {
      version: number;
    };
    if (row.version > SQLITE_SCHEMA_VERSION) {
      throw new Error(
        `chatkit-server: database schema version ${row.version} is newer than this library's (${SQLITE_SCHEMA_VERSION})`,
      );
    }
    const record = db.prepare("INSERT INTO chatkit_migrations (version, applied_at) VALUES (?, ?)");
    for (let version = row.version + 1; version <= SQLITE_SCHEMA_VERSION; version++) {
      db.exec(SQLITE_MIGRATIONS[version - 1]!);
      record.run(version, new Date().toISOString());
    }
  }).immediate();
}
