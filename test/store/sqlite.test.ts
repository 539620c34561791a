import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { SQLITE_SCHEMA_VERSION, SQLiteStore } from "../../src/store/sqlite/index.js";
import { pageSql, SQL } from "../../src/store/sqlite/statements.js";
import { storeContract, type Ctx } from "./contract.js";
import { fileAttachment, message, thread } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "chatkit-sqlite-"));
const opened: SQLiteStore<Ctx>[] = [];
let files = 0;
const newPath = () => join(dir, `store-${++files}.db`);

after(() => {
  for (const store of opened) store.close();
  rmSync(dir, { recursive: true, force: true });
});

storeContract("SQLiteStore (file)", {
  create: async (options) => {
    const store = new SQLiteStore<Ctx>({ path: newPath(), ...options });
    opened.push(store);
    return store;
  },
});

describe("SQLiteStore", () => {
  test("data survives close and reopen of the file", async () => {
    const path = newPath();
    const first = new SQLiteStore<Ctx>({ path });
    await first.saveThread(thread("thr_1", 1, { title: "kept" }), {});
    await first.addThreadItem("thr_1", message("msg_1", "thr_1", 1), {});
    first.close();
    first.close(); // idempotent

    const second = new SQLiteStore<Ctx>({ path });
    opened.push(second);
    assert.deepEqual(await second.loadThread("thr_1", {}), thread("thr_1", 1, { title: "kept" }));
    assert.deepEqual(await second.loadThreadItems("thr_1", undefined, 10, "asc", {}), {
      data: [message("msg_1", "thr_1", 1)],
      has_more: false,
    });
    // New items still sort after the reopened ones (the sequence continues).
    await second.addThreadItem("thr_1", message("msg_2", "thr_1", 1), {});
    assert.deepEqual(
      (await second.loadThreadItems("thr_1", undefined, 10, "asc", {})).data.map((item) => item.id),
      ["msg_1", "msg_2"],
    );
  });

  test("the file is in WAL mode with foreign keys on, and records its schema version once", () => {
    const path = newPath();
    new SQLiteStore({ path }).close();
    new SQLiteStore({ path }).close(); // reopening migrates nothing
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      assert.deepEqual(
        db.prepare("SELECT version FROM chatkit_migrations ORDER BY version").all(),
        Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
      );
      assert.deepEqual(
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(),
        ["chatkit_attachments", "chatkit_items", "chatkit_migrations", "chatkit_threads"],
      );
    } finally {
      db.close();
    }
    const store = new SQLiteStore({ path });
    opened.push(store as SQLiteStore<Ctx>);
    assert.equal(store.db.pragma("foreign_keys", { simple: true }), 1);
  });

  test("a database from a newer library version is refused", () => {
    const path = newPath();
    new SQLiteStore({ path }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO chatkit_migrations (version, applied_at) VALUES (?, ?)").run(SQLITE_SCHEMA_VERSION + 1, "x");
    db.close();
    assert.throws(() => new SQLiteStore({ path }), new RegExp(`schema version ${SQLITE_SCHEMA_VERSION + 1} is newer`));
  });

  test(":memory: databases are private to their store", async () => {
    const a = new SQLiteStore<Ctx>({ path: ":memory:" });
    const b = new SQLiteStore<Ctx>({ path: ":memory:" });
    opened.push(a, b);
    await a.saveThread(thread("thr_1"), {});
    assert.deepEqual(await a.loadThread("thr_1", {}), thread("thr_1"));
    assert.deepEqual(await b.loadThreads(10, undefined, "asc", {}), { data: [], has_more: false });
  });

  test("every page and lookup query searches an index, never scans or sorts", () => {
    const store = new SQLiteStore({ path: newPath() });
    opened.push(store as SQLiteStore<Ctx>);
    const plan = (sql: string, params: unknown[]) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
    for (const table of ["chatkit_threads", "chatkit_items"] as const) {
      for (const order of ["asc", "desc"] as const) {
        for (const withCursor of [false, true]) {
          const sql = pageSql(table, order, withCursor);
          const detail = plan(sql, withCursor ? ["x", 1, 1, 21] : ["x", 21]);
          const index = table === "chatkit_threads" ? "chatkit_threads_page" : "chatkit_items_page";
          assert.equal(detail.length, 1, `${sql}: ${detail.join("; ")}`);
          assert.match(detail[0]!, new RegExp(`^SEARCH ${table} USING INDEX ${index} \\(`), sql);
        }
      }
    }
    for (const name of ["loadThread", "threadPosition", "itemPosition", "loadItem", "loadAttachment"] as const) {
      const params = name === "itemPosition" || name === "loadItem" ? ["t", "i"] : ["t", null];
      for (const detail of plan(SQL[name], params)) assert.match(detail, /^SEARCH /, `${name}: ${detail}`);
    }
  });

  test("the check that an item id is in no other thread searches the id index", () => {
    const store = new SQLiteStore({ path: newPath() });
    opened.push(store as SQLiteStore<Ctx>);
    const detail = (store.db.prepare(`EXPLAIN QUERY PLAN ${SQL.upsertItem}`).all({ thread_id: "t", id: "i", created_ms: 0, data: "{}" }) as { detail: string }[]).map((row) => row.detail);
    assert.ok(detail.includes("SEARCH chatkit_items USING INDEX chatkit_items_id (id=?)"), detail.join("; "));
    assert.ok(!detail.some((line) => line.startsWith("SCAN chatkit_items")), detail.join("; "));
  });

  test("a write failing inside createThread rolls the whole creation back (a database failing on purpose)", async () => {
    const store = new SQLiteStore<Ctx>({ path: newPath() });
    opened.push(store);
    store.db.exec(`CREATE TRIGGER fail_on_purpose BEFORE INSERT ON chatkit_items WHEN NEW.id = 'msg_fail'
      BEGIN SELECT RAISE(ABORT, 'failing on purpose'); END`);
    await store.saveAttachment(fileAttachment("atc_1"), {});
    await assert.rejects(
      store.createThread(thread("thr_1"), { attachments: [fileAttachment("atc_1", { thread_id: "thr_1" })], items: [message("msg_ok", "thr_1"), message("msg_fail", "thr_1")] }, {}),
      /failing on purpose/,
    );
    assert.deepEqual(store.db.prepare("SELECT (SELECT count(*) FROM chatkit_threads) AS threads, (SELECT count(*) FROM chatkit_items) AS items").get(), { threads: 0, items: 0 });
    assert.deepEqual(await store.loadAttachment("atc_1", {}), fileAttachment("atc_1"));
  });

  test("a file written before the item id index, holding one id in two threads, still opens", async () => {
    const path = newPath();
    new SQLiteStore({ path }).close();
    const db = new Database(path);
    db.exec("DROP INDEX chatkit_items_id; DELETE FROM chatkit_migrations WHERE version > 1");
    db.exec(`INSERT INTO chatkit_threads (id, owner, created_ms, data) VALUES ('thr_1', NULL, 0, '{}'), ('thr_2', NULL, 0, '{}')`);
    const insert = db.prepare("INSERT INTO chatkit_items (thread_id, id, created_ms, data) VALUES (?, 'msg_x', 0, ?)");
    insert.run("thr_1", JSON.stringify(message("msg_x", "thr_1")));
    insert.run("thr_2", JSON.stringify(message("msg_x", "thr_2")));
    db.close();
    const store = new SQLiteStore<Ctx>({ path });
    opened.push(store);
    assert.deepEqual(await store.loadItem("thr_2", "msg_x", {}), message("msg_x", "thr_2"));
    // Each thread still updates its own copy.
    await store.saveItem("thr_1", message("msg_x", "thr_1", 0, "edited"), {});
    assert.deepEqual(await store.loadItem("thr_1", "msg_x", {}), message("msg_x", "thr_1", 0, "edited"));
  });

  test("a page of a 100k-item thread starts right after the cursor (the plan test above covers speed)", async () => {
    const store = new SQLiteStore<Ctx>({ path: newPath() });
    opened.push(store);
    await store.saveThread(thread("thr_big"), {});
    // Seeding through the store API costs seconds; one transaction of raw inserts costs ~0.2 s.
    const insert = store.db.prepare("INSERT INTO chatkit_items (thread_id, id, created_ms, data) VALUES (?, ?, ?, ?)");
    store.db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        const item = message(`msg_${i}`, "thr_big", i);
        insert.run("thr_big", item.id, Date.parse(item.created_at), JSON.stringify(item));
      }
    })();
    for (const order of ["asc", "desc"] as const) {
      const page = await store.loadThreadItems("thr_big", "msg_50000", 20, order, {});
      const first = order === "asc" ? 50_001 : 49_999;
      const step = order === "asc" ? 1 : -1;
      assert.deepEqual(page.data.map((item) => item.id), Array.from({ length: 20 }, (_, i) => `msg_${first + i * step}`));
      assert.equal(page.has_more, true);
    }
  });
});
