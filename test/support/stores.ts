import { randomBytes } from "node:crypto";
import pg from "pg";
import { InMemoryStore, type Store, type StoreOptions } from "../../src/index.js";
import { PostgresStore } from "../../src/store/postgres/index.js";
import { SQLiteStore } from "../../src/store/sqlite/index.js";

/*
 * The real PostgreSQL the tests use: DATABASE_URL, or the local test database. Under CI=true the
 * database is required (an unreachable one fails the run); elsewhere its tests skip with a note.
 */
export const postgresUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(connectionString: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL is unreachable, or undefined. */
export const postgresUnreachable = await probe(postgresUrl);
/** The `skip` option of PostgreSQL tests: skipped only outside CI when the database is unreachable. */
export const postgresSkip: string | false =
  postgresUnreachable && process.env.CI !== "true" ? `PostgreSQL unreachable at ${postgresUrl} (${postgresUnreachable})` : false;
if (postgresSkip) console.warn(`# skipping PostgreSQL tests: ${postgresSkip}`);

/** Schema names unique to one test file's run, so parallel files and runs never collide. */
export function schemaNames(): { next(): string; prefix: string } {
  const prefix = `chatkit_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  let count = 0;
  return { prefix, next: () => `${prefix}_${++count}` };
}

/** Drops every schema whose name starts with `prefix`. */
export async function dropSchemas(pool: pg.Pool, prefix: string): Promise<void> {
  const { rows } = await pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [`${prefix}%`]);
  for (const { nspname } of rows) await pool.query(`DROP SCHEMA "${nspname}" CASCADE`);
}

/** One of the shipped stores, for tests that must hold on each of them alike. */
export interface StoreKind {
  name: "memory" | "sqlite" | "postgres";
  skip: string | false;
  /** A new, empty store. */
  create<C>(options?: StoreOptions<C>): Store<C>;
}

/**
 * The three shipped stores: memory, SQLite (in memory) and PostgreSQL (a schema per store).
 * Call `cleanup` once the tests are done.
 */
export function shippedStores(): { kinds: StoreKind[]; cleanup(): Promise<void> } {
  const sqlite: SQLiteStore<never>[] = [];
  const schemas = schemaNames();
  let pool: pg.Pool | undefined;
  const kinds: StoreKind[] = [
    { name: "memory", skip: false, create: (options) => new InMemoryStore(options) },
    {
      name: "sqlite",
      skip: false,
      create: <C>(options?: StoreOptions<C>) => {
        const store = new SQLiteStore<C>({ path: ":memory:", ...options });
        sqlite.push(store as SQLiteStore<never>);
        return store;
      },
    },
    {
      name: "postgres",
      skip: postgresSkip,
      create: (options) => {
        // Commits need not wait for the disk here: durability is not what these tests check.
        pool ??= new pg.Pool({ connectionString: postgresUrl, max: 10, options: "-c synchronous_commit=off" });
        return new PostgresStore({ pool, schema: schemas.next(), ...options });
      },
    },
  ];
  return {
    kinds,
    async cleanup() {
      for (const store of sqlite) store.close();
      if (pool) {
        await dropSchemas(pool, schemas.prefix);
        await pool.end();
      }
    },
  };
}

/**
 * Two `PostgresStore` instances on one new schema, each with its own pools, as two server
 * processes on one database have. `close` ends both and drops the schema.
 */
export function postgresPair<C>(): { a: PostgresStore<C>; b: PostgresStore<C>; close(): Promise<void> } {
  const schemas = schemaNames();
  const schema = schemas.next();
  const a = new PostgresStore<C>({ connectionString: postgresUrl, schema });
  const b = new PostgresStore<C>({ connectionString: postgresUrl, schema });
  return {
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
      const pool = new pg.Pool({ connectionString: postgresUrl, max: 1 });
      try {
        await dropSchemas(pool, schemas.prefix);
      } finally {
        await pool.end();
      }
    },
  };
}

/** The backend that holds advisory lock `key` (a bigint as text), if any session does. */
export async function advisoryLockHolder(pool: pg.Pool, key: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
    [key],
  );
  return rows[0]?.pid;
}
