import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import pg from "pg";
import { ThreadLockLostError } from "../../src/index.js";
import { POSTGRES_SCHEMA_VERSION, PostgresStore } from "../../src/store/postgres/index.js";
import {
  advisoryLockHolder,
  dropSchemas as dropRunSchemas,
  postgresSkip,
  postgresUnreachable,
  postgresUrl,
  schemaNames,
} from "../support/stores.js";
import { storeContract, type Ctx } from "./contract.js";
import { fileAttachment, message, thread } from "./fixtures.js";
import { lockQueueContract } from "./lock-contract.js";

const url = postgresUrl;
const skip = postgresSkip;

interface PlanNode {
  "Node Type": string;
  Plans?: PlanNode[];
}
const planNodes = (node: PlanNode): string[] => [node["Node Type"], ...(node.Plans ?? []).flatMap(planNodes)];

/** The page query walks an index in order: an index scan, no sort, no sequential scan. */
async function assertIndexedPlan(plan: PlanNode) {
  const nodes = planNodes(plan);
  assert.ok(nodes.some((type) => type.startsWith("Index")), nodes.join(" > "));
  assert.ok(!nodes.includes("Sort") && !nodes.includes("Seq Scan"), nodes.join(" > "));
}
test("PostgreSQL is reachable", { skip }, () => {
  assert.equal(postgresUnreachable, undefined, `PostgreSQL unreachable at ${url}: ${postgresUnreachable}`);
});

const schemaNamesOfRun = schemaNames();
const newSchema = () => schemaNamesOfRun.next();
const dropSchemas = (pool: pg.Pool) => dropRunSchemas(pool, schemaNamesOfRun.prefix);

const shared = skip ? undefined : new pg.Pool({ connectionString: url, max: 10 });
const pool = () => shared!;

storeContract("PostgresStore", {
  skip,
  create: async (options) => new PostgresStore<Ctx>({ pool: pool(), schema: newSchema(), ...options }),
  cleanup: async () => {
    await dropSchemas(pool());
    await pool().end();
  },
});

/** Longer than a few poll cycles of the lock (5–100 ms backoff): a waiter that skipped ahead would have the lock by then. */
const pollCycles = () => new Promise((resolve) => setTimeout(resolve, 250));
const lockStores: PostgresStore<Ctx>[] = [];
lockQueueContract("PostgresThreadLock", {
  skip,
  create: () => {
    const store = new PostgresStore<Ctx>({ connectionString: url, schema: newSchema() });
    lockStores.push(store);
    return store.threadLock;
  },
  settle: pollCycles,
});
after(() => Promise.all(lockStores.map((store) => store.close())));

describe("PostgresStore", { skip }, () => {
  const cleanupPool = skip ? undefined : new pg.Pool({ connectionString: url, max: 2 });
  const stores: PostgresStore<Ctx>[] = [];
  const pools: pg.Pool[] = [];
  /**
   * A store whose last query can be EXPLAINed: pages must come from an index, never a scan and
   * sort (a plan check instead of a timing, which would be flaky on a shared machine).
   */
  const explainedStore = (schema: string, owner?: (ctx: Ctx) => string | undefined) => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    let last: { text: string; params: unknown[] } | undefined;
    const query = pool.query.bind(pool) as (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
    (pool as unknown as { query: typeof query }).query = (text: string, params?: unknown[]) => {
      last = { text, params: params ?? [] };
      return query(text, params);
    };
    const store = new PostgresStore<Ctx>({ pool, schema, owner });
    stores.push(store);
    pools.push(pool);
    const explainLast = async () => {
      assert.ok(last, "no query ran");
      const { rows } = await cleanupPool!.query(`EXPLAIN (FORMAT JSON) ${last.text}`, last.params);
      return (rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan;
    };
    return { store, explainLast };
  };
  /** A store with its own pools (as in production), on `schema`. */
  const ownStore = (schema: string) => {
    const store = new PostgresStore<Ctx>({ connectionString: url, schema });
    stores.push(store);
    return store;
  };
  after(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchemas(cleanupPool!);
    await cleanupPool!.end();
  });

  /** Whether a third session could take `key` right now (it lets go at once). */
  async function lockIsFree(key: string): Promise<boolean> {
    const client = await cleanupPool!.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [key]);
      if (rows[0]!.ok) await client.query("SELECT pg_advisory_unlock($1)", [key]);
      return rows[0]!.ok;
    } finally {
      client.release();
    }
  }

  const settled = async (promise: Promise<unknown>, ms: number) =>
    Promise.race([promise.then(() => true, () => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

  describe("threadLock across instances", () => {
    const schema = newSchema();

    test("a second instance waits until the first releases", async () => {
      const a = ownStore(schema);
      const b = ownStore(schema);
      const key = a.threadLock.key("thr_1");
      assert.equal(key, b.threadLock.key("thr_1"), "both instances use the same key");

      const releaseA = await a.threadLock.acquire("thr_1");
      assert.equal(await lockIsFree(key), false);
      const order: string[] = [];
      const waiting = b.threadLock.acquire("thr_1").then((release) => {
        order.push("b acquired");
        return release;
      });
      assert.equal(await settled(waiting, 300), false, "b waits while a holds the lock");
      order.push("a releases");
      await releaseA();
      const releaseB = await waiting;
      assert.deepEqual(order, ["a releases", "b acquired"]);
      assert.equal(await lockIsFree(key), false, "b holds it now");
      await releaseB();
      await releaseB(); // idempotent
      assert.equal(await lockIsFree(key), true);
    });

    test("aborting a waiter rejects with the signal's reason and leaves the lock usable", async () => {
      const a = ownStore(schema);
      const b = ownStore(schema);
      const releaseA = await a.threadLock.acquire("thr_2");
      const controller = new AbortController();
      const waiting = b.threadLock.acquire("thr_2", controller.signal);
      assert.equal(await settled(waiting, 100), false);
      const reason = new Error("client went away");
      controller.abort(reason);
      await assert.rejects(waiting, (error) => error === reason);
      assert.equal(await lockIsFree(a.threadLock.key("thr_2")), false, "a still holds it");
      await releaseA();
      const releaseB = await b.threadLock.acquire("thr_2");
      assert.equal(await lockIsFree(b.threadLock.key("thr_2")), false);
      await releaseB();
      assert.equal(await lockIsFree(b.threadLock.key("thr_2")), true);
    });

    test("an already-aborted signal rejects at once", async () => {
      const a = ownStore(schema);
      const controller = new AbortController();
      controller.abort(new Error("gone"));
      await assert.rejects(a.threadLock.acquire("thr_3", controller.signal), /gone/);
      assert.equal(await lockIsFree(a.threadLock.key("thr_3")), true);
    });

    test("different threads do not block each other; waiters in one process queue in order", async () => {
      const a = ownStore(schema);
      const b = ownStore(schema);
      const release1 = await a.threadLock.acquire("thr_4");
      const release2 = await b.threadLock.acquire("thr_5");
      const order: number[] = [];
      const waiters = [1, 2, 3].map((n) =>
        a.threadLock.acquire("thr_4").then(async (release) => {
          order.push(n);
          await new Promise((resolve) => setTimeout(resolve, 20));
          await release();
        }),
      );
      assert.equal(await settled(Promise.any(waiters), 100), false);
      await release1();
      await Promise.all(waiters);
      assert.deepEqual(order, [1, 2, 3]);
      await release2();
      assert.equal(await lockIsFree(a.threadLock.key("thr_4")), true);
      assert.equal(await lockIsFree(a.threadLock.key("thr_5")), true);
    });

    test("stores in different schemas use different keys", () => {
      assert.notEqual(ownStore(newSchema()).threadLock.key("thr_1"), ownStore(schema).threadLock.key("thr_1"));
    });

    test("a lock whose session is killed: `lost` aborts at once, writes to the thread are refused, another instance takes it", async () => {
      const fenced = newSchema();
      const a = ownStore(fenced);
      const b = ownStore(fenced);
      await a.saveThread(thread("thr_fenced"), {});
      const release = await a.threadLock.acquire("thr_fenced");
      assert.ok(release.lost, "a PostgreSQL lock can be lost");
      // While held, writes to the thread go through the lock's session.
      await a.addThreadItem("thr_fenced", message("msg_before", "thr_fenced", 1), {});
      const pid = await advisoryLockHolder(cleanupPool!, a.threadLock.key("thr_fenced"));
      assert.ok(pid);
      const lost = new Promise((resolve) => release.lost!.addEventListener("abort", () => resolve(release.lost!.reason), { once: true }));
      await cleanupPool!.query("SELECT pg_terminate_backend($1)", [pid]);
      const reason = await lost;
      assert.ok(reason instanceof ThreadLockLostError);
      assert.equal(reason.threadId, "thr_fenced");
      await assert.rejects(a.addThreadItem("thr_fenced", message("msg_after", "thr_fenced", 2), {}), ThreadLockLostError);
      await assert.rejects(a.saveThread(thread("thr_fenced", 0, { title: "late" }), {}), ThreadLockLostError);
      // Other threads are not affected, and the other instance can take the thread.
      await a.saveThread(thread("thr_other"), {});
      const releaseB = await b.threadLock.acquire("thr_fenced");
      await b.addThreadItem("thr_fenced", message("msg_b", "thr_fenced", 3), {});
      await releaseB();
      await release(); // a lost lock releases quietly
      const items = await b.loadThreadItems("thr_fenced", undefined, 10, "asc", {});
      assert.deepEqual(items.data.map((item) => item.id), ["msg_before", "msg_b"]);
      assert.equal((await b.loadThread("thr_fenced", {})).title, undefined);
      // Released, the thread's writes go through the pool again.
      await a.addThreadItem("thr_fenced", message("msg_later", "thr_fenced", 4), {});
    });

    test("cleanupSettled waits, in another instance, for a cleanup announced with cleaningUp until the lock is released", async () => {
      const a = ownStore(schema);
      const b = ownStore(schema);
      await b.threadLock.cleanupSettled("thr_6"); // nothing running: at once
      const release = await a.threadLock.acquire("thr_6");
      await b.threadLock.cleanupSettled("thr_6"); // a turn running normally is not waited for
      await release.cleaningUp!();
      const order: string[] = [];
      const waiting = b.threadLock.cleanupSettled("thr_6").then(() => order.push("settled"));
      assert.equal(await settled(waiting, 200), false);
      order.push("released");
      await release();
      await waiting;
      assert.deepEqual(order, ["released", "settled"]);
      assert.equal(await lockIsFree(a.threadLock.key("thr_6")), true);
    });
  });

  test("instances starting at once migrate the schema exactly once", async () => {
    const schema = newSchema();
    const instances = Array.from({ length: 4 }, () => ownStore(schema));
    await Promise.all(instances.map((store, i) => store.saveThread(thread(`thr_${i}`, i), {})));
    const { rows } = await cleanupPool!.query(`SELECT version FROM "${schema}".chatkit_migrations ORDER BY version`);
    assert.deepEqual(rows, Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
    const listed = await instances[0]!.loadThreads(10, undefined, "asc", {});
    assert.deepEqual(listed.data.map((t) => t.id), ["thr_0", "thr_1", "thr_2", "thr_3"]);
  });

  test("a schema from a newer library version is refused", async () => {
    const schema = newSchema();
    await ownStore(schema).migrate();
    await cleanupPool!.query(`INSERT INTO "${schema}".chatkit_migrations (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION + 1]);
    await assert.rejects(ownStore(schema).loadThread("thr_1", {}), new RegExp(`schema version ${POSTGRES_SCHEMA_VERSION + 1} is newer`));
  });

  test("items are stored as jsonb", async () => {
    const schema = newSchema();
    const store = ownStore(schema);
    await store.saveThread(thread("thr_1"), {});
    await store.addThreadItem("thr_1", message("msg_1", "thr_1", 0, "hello"), {});
    const { rows } = await cleanupPool!.query(
      `SELECT pg_typeof(data)::text AS type, data->'content'->0->>'text' AS text FROM "${schema}".chatkit_items`,
    );
    assert.deepEqual(rows, [{ type: "jsonb", text: "hello" }]);
  });

  test("close() ends only the pools the store created", async () => {
    const mine = new pg.Pool({ connectionString: url, max: 1 });
    const store = new PostgresStore<Ctx>({ pool: mine, schema: newSchema() });
    await store.saveThread(thread("thr_1"), {});
    await store.close();
    assert.deepEqual((await mine.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
    await mine.end();

    const own = new PostgresStore<Ctx>({ connectionString: url, schema: newSchema() });
    await own.saveThread(thread("thr_1"), {});
    await own.close();
    await assert.rejects(own.loadThread("thr_1", {}), /pool after calling end|Cannot use a pool/);
  });

  test("a page of a 100k-item thread is served from the index", async () => {
    const schema = newSchema();
    const { store, explainLast } = explainedStore(schema);
    await store.saveThread(thread("thr_big"), {});
    // Bulk seeding in SQL: through the API this would take tens of seconds.
    await cleanupPool!.query(
      `INSERT INTO "${schema}".chatkit_items (thread_id, id, created_ms, data)
       SELECT 'thr_big', 'msg_' || n, n, jsonb_build_object('type', 'end_of_turn', 'id', 'msg_' || n, 'thread_id', 'thr_big',
         'created_at', to_char(to_timestamp(n / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       FROM generate_series(0, 99999) AS n`,
    );
    await cleanupPool!.query(`ANALYZE "${schema}".chatkit_items`);
    for (let i = 0; i < 2; i++) {
      const page = await store.loadThreadItems("thr_big", "msg_50000", 20, i % 2 ? "asc" : "desc", {});
      await assertIndexedPlan(await explainLast());
      assert.deepEqual(page.data[0], {
        type: "end_of_turn",
        id: i % 2 ? "msg_50001" : "msg_49999",
        thread_id: "thr_big",
        created_at: new Date(i % 2 ? 50001 : 49999).toISOString(),
      });
      assert.equal(page.data.length, 20);
    }
    // The check that a new item's id is in no other thread searches the id index too.
    await store.addThreadItem("thr_big", message("msg_new", "thr_big", 1), {});
    await assertIndexedPlan(await explainLast());
  });

  test("a write failing inside createThread rolls the whole creation back (a database failing on purpose)", async () => {
    const schema = newSchema();
    const store = ownStore(schema);
    await store.migrate();
    await cleanupPool!.query(`CREATE FUNCTION "${schema}".fail_on_purpose() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 'msg_fail' THEN RAISE EXCEPTION 'failing on purpose'; END IF; RETURN NEW; END $$`);
    await cleanupPool!.query(`CREATE TRIGGER fail_on_purpose BEFORE INSERT ON "${schema}".chatkit_items
      FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_on_purpose()`);
    await store.saveAttachment(fileAttachment("atc_1"), {});
    await assert.rejects(
      store.createThread(thread("thr_1"), { attachments: [fileAttachment("atc_1", { thread_id: "thr_1" })], items: [message("msg_ok", "thr_1"), message("msg_fail", "thr_1")] }, {}),
      /failing on purpose/,
    );
    const { rows } = await cleanupPool!.query(
      `SELECT (SELECT count(*) FROM "${schema}".chatkit_threads)::int AS threads, (SELECT count(*) FROM "${schema}".chatkit_items)::int AS items`,
    );
    assert.deepEqual(rows[0], { threads: 0, items: 0 });
    assert.deepEqual(await store.loadAttachment("atc_1", {}), fileAttachment("atc_1"));
  });

  test("a schema written before the item id index, holding one id in two threads, still migrates", async () => {
    const schema = newSchema();
    await ownStore(schema).migrate();
    const t = `"${schema}"`;
    await cleanupPool!.query(`DROP INDEX ${t}.chatkit_items_id; DELETE FROM ${t}.chatkit_migrations WHERE version > 1`);
    await cleanupPool!.query(`INSERT INTO ${t}.chatkit_threads (id, owner, created_ms, data) VALUES ('thr_1', NULL, 0, '{}'), ('thr_2', NULL, 0, '{}')`);
    for (const threadId of ["thr_1", "thr_2"]) {
      await cleanupPool!.query(`INSERT INTO ${t}.chatkit_items (thread_id, id, created_ms, data) VALUES ($1, 'msg_x', 0, $2)`, [threadId, JSON.stringify(message("msg_x", threadId))]);
    }
    const store = ownStore(schema);
    await store.saveItem("thr_1", message("msg_x", "thr_1", 0, "edited"), {});
    assert.deepEqual(await store.loadItem("thr_1", "msg_x", {}), message("msg_x", "thr_1", 0, "edited"));
    assert.deepEqual(await store.loadItem("thr_2", "msg_x", {}), message("msg_x", "thr_2"));
    const { rows } = await cleanupPool!.query(`SELECT max(version)::int AS version FROM ${t}.chatkit_migrations`);
    assert.equal(rows[0].version, POSTGRES_SCHEMA_VERSION);
  });

  test("a page of 100k threads is served from the index, with and without owners", async () => {
    const schema = newSchema();
    const { store: shared, explainLast: explainShared } = explainedStore(schema);
    const { store: scoped, explainLast: explainScoped } = explainedStore(schema, (ctx) => ctx.userId);
    await shared.migrate();
    // Half the threads have no owner, the rest belong to 100 users.
    await cleanupPool!.query(
      `INSERT INTO "${schema}".chatkit_threads (id, owner, created_ms, data)
       SELECT 'thr_' || n, CASE WHEN n % 2 = 0 THEN NULL ELSE 'user_' || (n % 100) END, n,
         jsonb_build_object('id', 'thr_' || n, 'created_at', 'x', 'status', jsonb_build_object('type', 'active'), 'metadata', '{}'::jsonb)
       FROM generate_series(0, 99999) AS n`,
    );
    await cleanupPool!.query(`ANALYZE "${schema}".chatkit_threads`);
    const cases = [
      { store: shared, explainLast: explainShared, ctx: {}, cursor: "thr_50000", next: { asc: "thr_50002", desc: "thr_49998" } },
      { store: scoped, explainLast: explainScoped, ctx: { userId: "user_1" }, cursor: "thr_50001", next: { asc: "thr_50101", desc: "thr_49901" } },
    ];
    for (const { store, explainLast, ctx, cursor, next } of cases) {
      for (let i = 0; i < 4; i++) {
        const order = i % 2 ? "asc" : "desc";
        const page = await store.loadThreads(20, i % 4 < 2 ? cursor : undefined, order, ctx);
        await assertIndexedPlan(await explainLast());
        assert.equal(page.data.length, 20);
        assert.equal(page.has_more, true);
        if (i % 4 < 2) assert.equal(page.data[0]!.id, next[order]);
      }
    }
  });
});
