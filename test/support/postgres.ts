import { randomBytes } from "node:crypto";
import pg from "pg";

/*
 * The PostgreSQL of the tests: DATABASE_URL, or the local test database. Under CI=true the
 * database is required (an unreachable one fails the run); elsewhere its tests skip with a note.
 */
export const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

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

/** Why PostgreSQL is unreachable, or undefined when it answers. */
export const postgresUnreachable = await probe(databaseUrl);

/** The `skip` option of PostgreSQL tests: a reason outside CI when the database is unreachable. */
export const postgresSkip: string | false =
  postgresUnreachable && process.env.CI !== "true" ? `PostgreSQL unreachable at ${databaseUrl} (${postgresUnreachable})` : false;

/** Schema names unique to this process and run, so parallel test files and runs never collide. */
export function schemaNames(): { next(): string; dropAll(pool: pg.Pool): Promise<void> } {
  const prefix = `chatkit_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  let count = 0;
  return {
    next: () => `${prefix}_${++count}`,
    /** Drops every schema `next` named (sweeping by prefix catches them all). */
    async dropAll(pool) {
      const { rows } = await pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [
        `${prefix}%`,
      ]);
      for (const { nspname } of rows) await pool.query(`DROP SCHEMA "${nspname}" CASCADE`);
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
