import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { InMemoryStore } from "../../src/store/memory.js";
import { PostgresStore } from "../../src/store/postgres/index.js";
import { SQLiteStore } from "../../src/store/sqlite/index.js";

/* Setup mistakes fail at construction with a TypeError naming the option. */

/** Options as plain JavaScript may pass them, past the types. */
const untyped = (value: unknown) => value as never;

describe("SQLiteStore options", () => {
  const pathNeeded = 'SQLiteStore needs a `path`: the database file (created if missing), or ":memory:" for a private in-memory database';

  test("no path is an error, not a temporary database", () => {
    assert.throws(() => new SQLiteStore(untyped({})), { name: "TypeError", message: `${pathNeeded}; got undefined` });
    assert.throws(() => new SQLiteStore({ path: "" }), { name: "TypeError", message: `${pathNeeded}; got an empty string` });
    assert.throws(() => new SQLiteStore(untyped({ path: 42 })), { name: "TypeError", message: `${pathNeeded}; got 42` });
  });

  test("no options at all, or an owner that is not a function", () => {
    assert.throws(() => new SQLiteStore(untyped(undefined)), { name: "TypeError", message: "SQLiteStore needs an options object; got undefined" });
    assert.throws(() => new SQLiteStore(untyped({ path: ":memory:", owner: "userId" })), {
      name: "TypeError",
      message: 'SQLiteStore: `owner` must be a function of the request context, e.g. (ctx) => ctx.userId; got "userId"',
    });
  });

  test('":memory:" opens a private in-memory database, as documented', async () => {
    const store = new SQLiteStore({ path: ":memory:" });
    try {
      assert.equal(store.db.memory, true);
      assert.deepEqual(await store.loadThreads(10, undefined, "desc", {}), { data: [], has_more: false });
    } finally {
      store.close();
    }
  });
});

describe("PostgresStore options", () => {
  const connectionNeeded = "PostgresStore needs a `pool` (a pg.Pool) or a `connectionString` (postgres://user:pass@host:5432/db)";

  test("neither pool nor connectionString is an error", () => {
    assert.throws(() => new PostgresStore(untyped({})), { name: "TypeError", message: connectionNeeded });
    assert.throws(() => new PostgresStore(untyped(undefined)), { name: "TypeError", message: "PostgresStore needs an options object; got undefined" });
  });

  test("an unset environment variable is named as the likely cause", () => {
    assert.throws(() => new PostgresStore({ connectionString: process.env.CHATKIT_TEST_UNSET_VARIABLE }), {
      name: "TypeError",
      message: `${connectionNeeded}; connectionString is undefined (is the environment variable set?)`,
    });
    assert.throws(() => new PostgresStore({ connectionString: "" }), {
      name: "TypeError",
      message: `${connectionNeeded}; connectionString is an empty string`,
    });
  });

  test("a pool that is not a pg.Pool, a bad lock pool size, an owner that is not a function", () => {
    assert.throws(() => new PostgresStore(untyped({ pool: "postgres://db" })), {
      name: "TypeError",
      message: 'PostgresStore: `pool` must be a pg.Pool; got "postgres://db"',
    });
    assert.throws(() => new PostgresStore({ connectionString: "postgres://db", maxLockConnections: 0 }), {
      name: "TypeError",
      message: "PostgresStore: `maxLockConnections` must be a positive integer; got 0",
    });
    assert.throws(() => new PostgresStore(untyped({ connectionString: "postgres://db", owner: {} })), {
      name: "TypeError",
      message: "PostgresStore: `owner` must be a function of the request context, e.g. (ctx) => ctx.userId; got an object",
    });
  });

  test("a pool, or a connectionString, is enough (nothing connects before first use)", async () => {
    const pool = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none" });
    const withPool = new PostgresStore({ pool });
    const withUrl = new PostgresStore({ connectionString: "postgres://nobody@127.0.0.1:1/none" });
    assert.equal(pool.totalCount, 0);
    await withUrl.close();
    await withPool.close();
    await pool.end();
  });
});

describe("InMemoryStore options", () => {
  test("an owner that is not a function is an error; no options is fine", () => {
    assert.throws(() => new InMemoryStore(untyped({ owner: "userId" })), {
      name: "TypeError",
      message: 'InMemoryStore: `owner` must be a function of the request context, e.g. (ctx) => ctx.userId; got "userId"',
    });
    assert.ok(new InMemoryStore());
  });
});
