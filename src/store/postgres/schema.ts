import type { PoolClient } from "pg";
import { lockKey } from "./lock-key.js";

/** Table names of a store in `schema`, quoted for SQL. */
export interface Tables {
  schema: string;
  threads: string;
  items: string;
  attachments: string;
  migrations: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The quoted table names in `schema`; throws for a schema name that is not a plain identifier. */
export function tablesIn(schema: string): Tables {
  if (!IDENTIFIER.test(schema)) {
    throw new Error(`chatkit-server: invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
  }
  const s = `"${schema}"`;
  return {
    schema: s,
    threads: `${s}.chatkit_threads`,
    items: `${s}.chatkit_items`,
    attachments: `${s}.chatkit_attachments`,
    migrations: `${s}.chatkit_migrations`,
  };
}

/**
 * Schema migrations, applied in order; `chatkit_migrations` records the versions applied.
 * Append new migrations, never edit a shipped one.
 */
export const POSTGRES_MIGRATIONS: readonly ((t: Tables) => string)[] = [
  (t) => `
  CREATE TABLE ${t.threads} (
    seq bigserial PRIMARY KEY,          -- insertion order, the tie-breaker of equal times
    id text NOT NULL UNIQUE,
    owner text,                         -- NULL: no owner
    created_ms bigint NOT NULL,
    data jsonb NOT NULL                 -- the ThreadMetadata
  );
  CREATE INDEX chatkit_threads_page ON ${t.threads} (owner, created_ms, seq);

  CREATE TABLE ${t.items} (
    seq bigserial PRIMARY KEY,
    thread_id text NOT NULL REFERENCES ${t.threads} (id) ON DELETE CASCADE,
    id text NOT NULL,
    created_ms bigint NOT NULL,
    data jsonb NOT NULL,                -- the ThreadItem
    UNIQUE (thread_id, id)
  );
  CREATE INDEX chatkit_items_page ON ${t.items} (thread_id, created_ms, seq);

  CREATE TABLE ${t.attachments} (
    id text PRIMARY KEY,
    owner text,
    thread_id text,                     -- set once used in a message; deleteThread removes these
    data jsonb NOT NULL                 -- the Attachment, metadata included
  );
  CREATE INDEX chatkit_attachments_thread ON ${t.attachments} (thread_id);
  `,
  // Finds an item id in any thread: an id belongs to one thread at a time. Not UNIQUE, so a schema
  // holding the same id in two threads (written before this version) still migrates.
  (t) => `CREATE INDEX chatkit_items_id ON ${t.items} (id);`,
];

/** The schema version this code reads and writes. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/**
 * Brings `schema` to `POSTGRES_SCHEMA_VERSION` in one transaction. A transaction-level advisory
 * lock serializes instances that start at once: the second waits, then finds the work done.
 */
export async function migrate(client: PoolClient, schemaName: string): Promise<void> {
  const t = tablesIn(schemaName);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [lockKey(`chatkit:${schemaName}:migrate`)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${t.migrations} (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>(
      `SELECT coalesce(max(version), 0)::integer AS version FROM ${t.migrations}`,
    );
    const current = rows[0]?.version ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw new Error(
        `chatkit-server: database schema version ${current} is newer than this library's (${POSTGRES_SCHEMA_VERSION})`,
      );
    }
    for (let version = current + 1; version <= POSTGRES_SCHEMA_VERSION; version++) {
      await client.query(POSTGRES_MIGRATIONS[version - 1]!(t));
      await client.query(`INSERT INTO ${t.migrations} (version) VALUES ($1)`, [version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
