import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  ConflictError,
  NotFoundError,
  type Page,
  type PageOrder,
  type Store,
  type StoreOptions,
  type ThreadItem,
  type ThreadMetadata,
} from "../../src/index.js";
import { at, everyItemKind, fileAttachment, imageAttachment, message, thread } from "./fixtures.js";

/** The request context of the contract suite: `userId` is the owner when the store scopes. */
export interface Ctx {
  userId?: string;
}

/** How the contract suite gets stores of one implementation. */
export interface StoreHarness {
  /** A new, empty store with `options`. */
  create(options: StoreOptions<Ctx>): Promise<Store<Ctx>>;
  /** Called once after the suite: close connections, remove files and schemas. */
  cleanup?(): Promise<void>;
  /** Skip the suite, with the reason (e.g. no database outside CI). */
  skip?: string | false;
}

const alice: Ctx = { userId: "alice" };
const bob: Ctx = { userId: "bob" };
const none: Ctx = {};
const scoped: StoreOptions<Ctx> = { owner: (ctx) => ctx.userId };

const ids = (page: Page<{ id: string }>) => page.data.map((entry) => entry.id);
const isNotFound = (error: unknown) => error instanceof NotFoundError;
const isConflict = (message: RegExp) => (error: unknown) => error instanceof ConflictError && message.test(error.message);

/** Every page of a list, walked with `after` cursors, as one list of ids (and the pages seen). */
async function walk(
  load: (after: string | undefined) => Promise<Page<{ id: string }>>,
): Promise<{ ids: string[]; pages: number }> {
  const all: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await load(cursor);
    pages++;
    all.push(...ids(page));
    if (!page.has_more) {
      assert.equal(page.after, undefined, "a last page has no `after`");
      return { ids: all, pages };
    }
    assert.equal(page.after, page.data[page.data.length - 1]?.id, "`after` is the last id of a full page");
    cursor = page.after;
    assert.ok(pages < 1000, "pagination terminates");
  }
}

/**
 * The `Store` contract (protocol.md §7.1, §7.3, design.md): every store implementation runs this
 * suite and must pass it unchanged.
 */
export function storeContract(name: string, harness: StoreHarness): void {
  describe(`${name} — Store contract`, { skip: harness.skip ?? false }, () => {
    after(async () => {
      await harness.cleanup?.();
    });
    const create = (options: StoreOptions<Ctx> = {}) => harness.create(options);

    describe("threads", () => {
      test("save and load round-trip every field", async () => {
        const store = await create();
        const full = thread("thr_full", 5, {
          title: "Order #1234",
          status: { type: "locked", reason: "Escalated" },
          allowed_image_domains: ["cdn.example.com"],
          metadata: { crm: { id: 7, tags: ["a", null] }, flag: false },
        });
        const bare = thread("thr_bare", 6);
        await store.saveThread(full, none);
        await store.saveThread(bare, none);
        assert.deepEqual(await store.loadThread("thr_full", none), full);
        const loaded = await store.loadThread("thr_bare", none);
        assert.deepEqual(loaded, bare);
        assert.equal("title" in loaded, false, "an absent title stays absent");
      });

      test("loading a missing thread throws NotFoundError", async () => {
        const store = await create();
        await assert.rejects(store.loadThread("thr_missing", none), isNotFound);
      });

      test("saving again updates the metadata and keeps the position", async () => {
        const store = await create();
        await store.saveThread(thread("thr_a", 1), none);
        await store.saveThread(thread("thr_b", 2), none);
        await store.saveThread(thread("thr_a", 1, { title: "Renamed", status: { type: "closed" } }), none);
        assert.deepEqual(
          await store.loadThread("thr_a", none),
          thread("thr_a", 1, { title: "Renamed", status: { type: "closed" } }),
        );
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", none)), ["thr_a", "thr_b"]);
      });

      test("saving never touches items", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        await store.addThreadItem("thr_1", message("msg_1", "thr_1", 1), none);
        await store.saveThread(thread("thr_1", 0, { title: "t" }), none);
        assert.deepEqual(await store.loadThreadItems("thr_1", undefined, 10, "asc", none), {
          data: [message("msg_1", "thr_1", 1)],
          has_more: false,
        });
      });

      test("deleting a thread deletes its items and its attachments, nothing else", async () => {
        const store = await create();
        await store.saveThread(thread("thr_del", 1), none);
        await store.saveThread(thread("thr_keep", 2), none);
        await store.addThreadItem("thr_del", message("msg_1", "thr_del", 1), none);
        await store.addThreadItem("thr_del", message("msg_2", "thr_del", 2), none);
        await store.addThreadItem("thr_keep", message("msg_k", "thr_keep", 1), none);
        await store.saveAttachment(fileAttachment("atc_linked", { thread_id: "thr_del" }), none);
        await store.saveAttachment(fileAttachment("atc_other", { thread_id: "thr_keep" }), none);
        await store.saveAttachment(fileAttachment("atc_unlinked"), none);

        await store.deleteThread("thr_del", none);

        await assert.rejects(store.loadThread("thr_del", none), isNotFound);
        await assert.rejects(store.loadItem("thr_del", "msg_1", none), isNotFound);
        await assert.rejects(store.loadAttachment("atc_linked", none), isNotFound);
        assert.deepEqual(await store.loadThreadItems("thr_del", undefined, 10, "asc", none), { data: [], has_more: false });
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", none)), ["thr_keep"]);
        assert.deepEqual(await store.loadItem("thr_keep", "msg_k", none), message("msg_k", "thr_keep", 1));
        assert.deepEqual(await store.loadAttachment("atc_other", none), fileAttachment("atc_other", { thread_id: "thr_keep" }));
        assert.deepEqual(await store.loadAttachment("atc_unlinked", none), fileAttachment("atc_unlinked"));

        // The id can be reused and starts empty.
        await store.saveThread(thread("thr_del", 3), none);
        assert.deepEqual(await store.loadThreadItems("thr_del", undefined, 10, "asc", none), { data: [], has_more: false });
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", none)), ["thr_keep", "thr_del"]);
      });

      test("deleting a missing thread is not an error", async () => {
        const store = await create();
        await store.deleteThread("thr_missing", none);
        assert.deepEqual(await store.loadThreads(10, undefined, "asc", none), { data: [], has_more: false });
      });
    });

    describe("items", () => {
      test("add and load", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        await store.addThreadItem("thr_1", message("msg_1", "thr_1", 1), none);
        assert.deepEqual(await store.loadItem("thr_1", "msg_1", none), message("msg_1", "thr_1", 1));
      });

      test("adding to a missing thread throws NotFoundError and stores nothing", async () => {
        const store = await create();
        await assert.rejects(store.addThreadItem("thr_missing", message("msg_1", "thr_missing"), none), isNotFound);
        await assert.rejects(store.saveItem("thr_missing", message("msg_1", "thr_missing"), none), isNotFound);
        await store.saveThread(thread("thr_missing"), none);
        assert.deepEqual(await store.loadThreadItems("thr_missing", undefined, 10, "asc", none), { data: [], has_more: false });
      });

      test("addThreadItem of an existing id replaces it in place", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        for (const [id, ms] of [["msg_0", 0], ["msg_1", 1], ["msg_2", 2]] as const) {
          await store.addThreadItem("thr_1", message(id, "thr_1", ms), none);
        }
        // Even with a later created_at, the replaced item keeps its position.
        const replacement = message("msg_1", "thr_1", 99, "replaced");
        await store.addThreadItem("thr_1", replacement, none);
        const page = await store.loadThreadItems("thr_1", undefined, 10, "asc", none);
        assert.deepEqual(page, { data: [message("msg_0", "thr_1", 0), replacement, message("msg_2", "thr_1", 2)], has_more: false });
      });

      test("saveItem upserts: replaces in place, appends a new id", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        await store.addThreadItem("thr_1", message("msg_0", "thr_1", 0), none);
        await store.addThreadItem("thr_1", message("msg_1", "thr_1", 1), none);
        await store.saveItem("thr_1", message("msg_0", "thr_1", 0, "edited"), none);
        await store.saveItem("thr_1", message("msg_2", "thr_1", 2), none);
        assert.deepEqual(await store.loadThreadItems("thr_1", undefined, 10, "asc", none), {
          data: [message("msg_0", "thr_1", 0, "edited"), message("msg_1", "thr_1", 1), message("msg_2", "thr_1", 2)],
          has_more: false,
        });
        assert.deepEqual(await store.loadItem("thr_1", "msg_0", none), message("msg_0", "thr_1", 0, "edited"));
      });

      test("loading a missing item, or one of another thread, throws NotFoundError", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        await store.saveThread(thread("thr_2"), none);
        await store.addThreadItem("thr_1", message("msg_1", "thr_1"), none);
        await assert.rejects(store.loadItem("thr_1", "msg_missing", none), isNotFound);
        await assert.rejects(store.loadItem("thr_2", "msg_1", none), isNotFound);
        await assert.rejects(store.loadItem("thr_missing", "msg_1", none), isNotFound);
      });

      test("an item id of another thread is refused with ConflictError, for any owner; nothing changes", async () => {
        const store = await create(scoped);
        await store.saveThread(thread("thr_1"), alice);
        await store.saveThread(thread("thr_2"), alice);
        await store.saveThread(thread("thr_b"), bob);
        await store.addThreadItem("thr_1", message("msg_x", "thr_1", 0, "one"), alice);
        await assert.rejects(store.addThreadItem("thr_2", message("msg_x", "thr_2", 0, "two"), alice), isConflict(/msg_x/));
        await assert.rejects(store.saveItem("thr_2", message("msg_x", "thr_2", 0, "two"), alice), isConflict(/msg_x/));
        await assert.rejects(store.addThreadItem("thr_b", message("msg_x", "thr_b", 0, "bob"), bob), isConflict(/msg_x/));
        assert.deepEqual(await store.loadItem("thr_1", "msg_x", alice), message("msg_x", "thr_1", 0, "one"));
        assert.deepEqual(await store.loadThreadItems("thr_2", undefined, 10, "asc", alice), { data: [], has_more: false });
        assert.deepEqual(await store.loadThreadItems("thr_b", undefined, 10, "asc", bob), { data: [], has_more: false });
        // Once the item is gone, or its thread, the id is free again.
        await store.deleteThreadItem("thr_1", "msg_x", alice);
        await store.addThreadItem("thr_2", message("msg_x", "thr_2", 0, "two"), alice);
        await store.deleteThread("thr_2", alice);
        await store.addThreadItem("thr_b", message("msg_x", "thr_b", 0, "bob"), bob);
        assert.deepEqual(await store.loadItem("thr_b", "msg_x", bob), message("msg_x", "thr_b", 0, "bob"));
      });

      test("delete removes the item; a missing one, or a wrong thread, is not an error", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        await store.saveThread(thread("thr_2"), none);
        await store.addThreadItem("thr_1", message("msg_1", "thr_1", 1), none);
        await store.addThreadItem("thr_1", message("msg_2", "thr_1", 2), none);
        await store.deleteThreadItem("thr_1", "msg_1", none);
        await store.deleteThreadItem("thr_1", "msg_missing", none);
        await store.deleteThreadItem("thr_2", "msg_2", none);
        await store.deleteThreadItem("thr_missing", "msg_2", none);
        await assert.rejects(store.loadItem("thr_1", "msg_1", none), isNotFound);
        assert.deepEqual(await store.loadThreadItems("thr_1", undefined, 10, "asc", none), {
          data: [message("msg_2", "thr_1", 2)],
          has_more: false,
        });
      });

      test("every item kind round-trips through JSON without loss", async () => {
        const store = await create();
        await store.saveThread(thread("thr_kinds"), none);
        const items = everyItemKind("thr_kinds");
        assert.equal(new Set(items.map((item) => item.type)).size, 11);
        for (const item of items) await store.addThreadItem("thr_kinds", item, none);
        for (const item of items) {
          assert.deepEqual(await store.loadItem("thr_kinds", item.id, none), item, item.type);
        }
        const page = await store.loadThreadItems("thr_kinds", undefined, 100, "asc", none);
        assert.equal(page.has_more, false);
        assert.deepEqual(
          new Map(page.data.map((item) => [item.id, item])),
          new Map(items.map((item) => [item.id, item])),
        );
      });

      test("values are copied: mutating a saved or loaded object changes nothing stored", async () => {
        const store = await create();
        const saved = thread("thr_1", 0, { metadata: { n: 1 } });
        await store.saveThread(saved, none);
        const item = message("msg_1", "thr_1");
        await store.addThreadItem("thr_1", item, none);
        (saved.metadata as { n: number }).n = 2;
        (item as { content: unknown[] }).content.length = 0;
        const loaded = await store.loadThread("thr_1", none);
        (loaded.metadata as { n: number }).n = 3;
        assert.deepEqual(await store.loadThread("thr_1", none), thread("thr_1", 0, { metadata: { n: 1 } }));
        assert.deepEqual(await store.loadItem("thr_1", "msg_1", none), message("msg_1", "thr_1"));
      });
    });

    describe("item pagination (protocol.md §7.3)", () => {
      async function seeded(times: readonly number[]): Promise<Store<Ctx>> {
        const store = await create();
        await store.saveThread(thread("thr_p"), none);
        for (const [i, ms] of times.entries()) await store.addThreadItem("thr_p", message(`msg${i}`, "thr_p", ms), none);
        return store;
      }
      const page = (store: Store<Ctx>, after: string | undefined, limit: number, order: PageOrder) =>
        store.loadThreadItems("thr_p", after, limit, order, none);

      test("the spec's examples", async () => {
        const store = await seeded([0, 1, 2, 3, 4]);
        assert.deepEqual(await page(store, "msg1", 3, "asc"), {
          data: [2, 3, 4].map((i) => message(`msg${i}`, "thr_p", i)),
          has_more: false,
        });
        assert.deepEqual(await page(store, undefined, 2, "asc"), {
          data: [0, 1].map((i) => message(`msg${i}`, "thr_p", i)),
          has_more: true,
          after: "msg1",
        });
      });

      test("desc pages run newest first; the cursor is exclusive in both orders", async () => {
        const store = await seeded([0, 1, 2, 3, 4]);
        assert.deepEqual(ids(await page(store, undefined, 2, "desc")), ["msg4", "msg3"]);
        assert.equal((await page(store, undefined, 2, "desc")).after, "msg3");
        assert.deepEqual(ids(await page(store, "msg3", 2, "desc")), ["msg2", "msg1"]);
        assert.deepEqual(await page(store, "msg1", 2, "desc"), { data: [message("msg0", "thr_p", 0)], has_more: false });
        assert.deepEqual(await page(store, "msg0", 2, "desc"), { data: [], has_more: false });
        assert.deepEqual(await page(store, "msg4", 2, "asc"), { data: [], has_more: false });
        assert.deepEqual(ids(await page(store, "msg2", 5, "desc")), ["msg1", "msg0"]);
      });

      test("has_more is exact at the boundary; limit 0 returns no data", async () => {
        const store = await seeded([0, 1, 2, 3, 4]);
        assert.deepEqual(ids(await page(store, undefined, 5, "asc")), ["msg0", "msg1", "msg2", "msg3", "msg4"]);
        assert.equal((await page(store, undefined, 5, "asc")).has_more, false);
        assert.equal((await page(store, undefined, 5, "asc")).after, undefined);
        assert.deepEqual(await page(store, undefined, 4, "asc"), {
          data: [0, 1, 2, 3].map((i) => message(`msg${i}`, "thr_p", i)),
          has_more: true,
          after: "msg3",
        });
        assert.deepEqual(await page(store, "msg3", 1, "asc"), { data: [message("msg4", "thr_p", 4)], has_more: false });
        assert.deepEqual(await page(store, undefined, 0, "asc"), { data: [], has_more: true });
      });

      test("equal created_at: ties break by insertion order, walks lose and repeat nothing", async () => {
        const times = [5, 5, 5, 1, 5, 9, 5, 1, 9, 5];
        const store = await seeded(times);
        const expected = times
          .map((ms, i) => ({ ms, i }))
          .sort((a, b) => a.ms - b.ms || a.i - b.i)
          .map(({ i }) => `msg${i}`);
        for (const limit of [1, 2, 3, 4, 10, 11]) {
          const asc = await walk((cursor) => page(store, cursor, limit, "asc"));
          assert.deepEqual(asc.ids, expected, `asc, limit ${limit}`);
          assert.equal(asc.pages, Math.ceil(times.length / limit), "has_more is exact: no empty last page");
          const desc = await walk((cursor) => page(store, cursor, limit, "desc"));
          assert.deepEqual(desc.ids, [...expected].reverse(), `desc, limit ${limit}`);
        }
      });

      test("items added out of time order are paged by created_at", async () => {
        const store = await seeded([30, 10, 20]);
        assert.deepEqual(ids(await page(store, undefined, 10, "asc")), ["msg1", "msg2", "msg0"]);
        assert.deepEqual(ids(await page(store, "msg2", 10, "desc")), ["msg1"]);
      });

      test("an unknown or deleted cursor throws NotFoundError", async () => {
        const store = await seeded([0, 1, 2]);
        await assert.rejects(page(store, "msg_unknown", 2, "asc"), isNotFound);
        await store.deleteThreadItem("thr_p", "msg1", none);
        await assert.rejects(page(store, "msg1", 2, "asc"), isNotFound);
        await assert.rejects(page(store, "msg1", 2, "desc"), isNotFound);
        assert.deepEqual(ids(await page(store, "msg0", 2, "asc")), ["msg2"]);
      });

      test("a cursor from another thread throws NotFoundError", async () => {
        const store = await seeded([0, 1]);
        await store.saveThread(thread("thr_other"), none);
        await store.addThreadItem("thr_other", message("msg_o", "thr_other"), none);
        await assert.rejects(page(store, "msg_o", 2, "asc"), isNotFound);
      });

      test("an unknown thread gives an empty page", async () => {
        const store = await create();
        assert.deepEqual(await store.loadThreadItems("thr_missing", undefined, 10, "asc", none), { data: [], has_more: false });
      });
    });

    describe("thread pagination (protocol.md §7.3)", () => {
      test("the spec's example, both orders", async () => {
        const store = await create();
        for (const [i, id] of ["t1", "t2", "t3"].entries()) await store.saveThread(thread(id, i), none);
        assert.deepEqual(await store.loadThreads(2, undefined, "asc", none), {
          data: [thread("t1", 0), thread("t2", 1)],
          has_more: true,
          after: "t2",
        });
        assert.deepEqual(await store.loadThreads(2, "t2", "asc", none), { data: [thread("t3", 2)], has_more: false });
        assert.deepEqual(await store.loadThreads(2, undefined, "desc", none), {
          data: [thread("t3", 2), thread("t2", 1)],
          has_more: true,
          after: "t2",
        });
        assert.deepEqual(await store.loadThreads(2, "t2", "desc", none), { data: [thread("t1", 0)], has_more: false });
      });

      test("equal created_at: ties break by insertion order in both orders", async () => {
        const store = await create();
        const times = [3, 3, 1, 3, 1, 3, 3];
        for (const [i, ms] of times.entries()) await store.saveThread(thread(`thr_${i}`, ms), none);
        const expected = times
          .map((ms, i) => ({ ms, i }))
          .sort((a, b) => a.ms - b.ms || a.i - b.i)
          .map(({ i }) => `thr_${i}`);
        for (const limit of [1, 2, 3, 7, 8]) {
          assert.deepEqual((await walk((cursor) => store.loadThreads(limit, cursor, "asc", none))).ids, expected);
          assert.deepEqual(
            (await walk((cursor) => store.loadThreads(limit, cursor, "desc", none))).ids,
            [...expected].reverse(),
          );
        }
      });

      test("an unknown or deleted cursor throws NotFoundError", async () => {
        const store = await create();
        await store.saveThread(thread("t1", 1), none);
        await store.saveThread(thread("t2", 2), none);
        await assert.rejects(store.loadThreads(2, "t_unknown", "asc", none), isNotFound);
        await store.deleteThread("t1", none);
        await assert.rejects(store.loadThreads(2, "t1", "desc", none), isNotFound);
      });
    });

    describe("attachments", () => {
      test("save and load file and image attachments with metadata", async () => {
        const store = await create();
        const file = fileAttachment("atc_f", {
          upload_descriptor: { url: "https://up.example.com/f", method: "POST", headers: {} },
          metadata: { s3: { key: "k/f", etag: null }, size: 10 },
        });
        const image = imageAttachment("atc_i", { thread_id: "thr_1", metadata: {} });
        await store.saveAttachment(file, none);
        await store.saveAttachment(image, none);
        assert.deepEqual(await store.loadAttachment("atc_f", none), file);
        assert.deepEqual(await store.loadAttachment("atc_i", none), image);
      });

      test("saving again updates (e.g. sets thread_id, clears upload_descriptor)", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), none);
        await store.saveAttachment(fileAttachment("atc_1", { upload_descriptor: { url: "u", method: "PUT", headers: {} } }), none);
        await store.saveAttachment(fileAttachment("atc_1", { thread_id: "thr_1" }), none);
        assert.deepEqual(await store.loadAttachment("atc_1", none), fileAttachment("atc_1", { thread_id: "thr_1" }));
        // The link is what deleteThread follows.
        await store.deleteThread("thr_1", none);
        await assert.rejects(store.loadAttachment("atc_1", none), isNotFound);
      });

      test("delete; a missing attachment throws NotFoundError, deleting it does not", async () => {
        const store = await create();
        await store.saveAttachment(fileAttachment("atc_1"), none);
        await store.deleteAttachment("atc_1", none);
        await store.deleteAttachment("atc_missing", none);
        await assert.rejects(store.loadAttachment("atc_1", none), isNotFound);
        await assert.rejects(store.loadAttachment("atc_missing", none), isNotFound);
      });
    });

    describe("creating: new ids only, all or nothing", () => {
      test("createThread stores the thread with its first attachments and items", async () => {
        const store = await create(scoped);
        await store.saveAttachment(fileAttachment("atc_1"), alice);
        const linked = fileAttachment("atc_1", { thread_id: "thr_new" });
        const items = [message("msg_1", "thr_new", 1), message("msg_2", "thr_new", 2)];
        await store.createThread(thread("thr_new", 5, { title: "T" }), { attachments: [linked], items }, alice);
        assert.deepEqual(await store.loadThread("thr_new", alice), thread("thr_new", 5, { title: "T" }));
        assert.deepEqual(await store.loadThreadItems("thr_new", undefined, 10, "asc", alice), { data: items, has_more: false });
        assert.deepEqual(await store.loadAttachment("atc_1", alice), linked);
        await store.createThread(thread("thr_bare", 6), {}, alice);
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", alice)), ["thr_new", "thr_bare"]);
      });

      test("createThread of an existing id throws ConflictError, for the same or another owner; nothing changes", async () => {
        const store = await create(scoped);
        await store.saveThread(thread("thr_a", 1, { title: "A" }), alice);
        await store.addThreadItem("thr_a", message("msg_a", "thr_a", 1), alice);
        for (const ctx of [alice, bob]) {
          await assert.rejects(
            store.createThread(thread("thr_a", 2, { title: "merged?" }), { items: [message("msg_new", "thr_a", 2)] }, ctx),
            isConflict(/^Thread thr_a already exists$/),
          );
        }
        assert.deepEqual(await store.loadThread("thr_a", alice), thread("thr_a", 1, { title: "A" }));
        assert.deepEqual(ids(await store.loadThreadItems("thr_a", undefined, 10, "asc", alice)), ["msg_a"]);
        assert.deepEqual(await store.loadThreads(10, undefined, "asc", bob), { data: [], has_more: false });
      });

      test("createThread whose later writes fail leaves no thread behind and the attachments as they were", async () => {
        const store = await create(scoped);
        await store.saveThread(thread("thr_other", 1), alice);
        await store.addThreadItem("thr_other", message("msg_taken", "thr_other", 1), alice);
        await store.saveAttachment(fileAttachment("atc_mine", { metadata: { n: 1 } }), alice);
        await store.saveAttachment(fileAttachment("atc_bobs"), bob);
        const mine = fileAttachment("atc_mine", { thread_id: "thr_new", metadata: { n: 1 } });
        // An item id another thread has: refused after the thread and the attachment were written.
        await assert.rejects(
          store.createThread(thread("thr_new", 2), { attachments: [mine], items: [message("msg_ok", "thr_new", 2), message("msg_taken", "thr_new", 3)] }, alice),
          isConflict(/msg_taken/),
        );
        // Another owner's attachment: refused as missing.
        await assert.rejects(
          store.createThread(thread("thr_new", 2), { attachments: [mine, fileAttachment("atc_bobs", { thread_id: "thr_new" })], items: [message("msg_ok", "thr_new", 2)] }, alice),
          isNotFound,
        );
        await assert.rejects(store.loadThread("thr_new", alice), isNotFound);
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", alice)), ["thr_other"]);
        assert.deepEqual(await store.loadAttachment("atc_mine", alice), fileAttachment("atc_mine", { metadata: { n: 1 } }));
        assert.deepEqual(await store.loadAttachment("atc_bobs", bob), fileAttachment("atc_bobs"));
        assert.deepEqual(ids(await store.loadThreadItems("thr_other", undefined, 10, "asc", alice)), ["msg_taken"]);
        // The id was never taken: the same creation, fixed, succeeds.
        await store.createThread(thread("thr_new", 2), { attachments: [mine], items: [message("msg_ok", "thr_new", 2)] }, alice);
        assert.deepEqual(ids(await store.loadThreadItems("thr_new", undefined, 10, "asc", alice)), ["msg_ok"]);
      });

      test("createThread refuses a record breaking the text rule, writing nothing", async () => {
        const store = await create();
        await assert.rejects(store.createThread(thread("thr_1"), { items: [message("msg_1", "thr_1", 0, "\u0000")] }, none), TypeError);
        await assert.rejects(store.loadThread("thr_1", none), isNotFound);
      });

      test("addAttachment inserts; an existing id throws ConflictError, for the same or another owner", async () => {
        const store = await create(scoped);
        await store.addAttachment(fileAttachment("atc_1", { metadata: { k: 1 } }), alice);
        assert.deepEqual(await store.loadAttachment("atc_1", alice), fileAttachment("atc_1", { metadata: { k: 1 } }));
        for (const ctx of [alice, bob]) {
          await assert.rejects(store.addAttachment(fileAttachment("atc_1", { name: "other.pdf" }), ctx), isConflict(/^Attachment atc_1 already exists$/));
        }
        assert.deepEqual(await store.loadAttachment("atc_1", alice), fileAttachment("atc_1", { metadata: { k: 1 } }));
        await assert.rejects(store.loadAttachment("atc_1", bob), isNotFound);
        await assert.rejects(store.addAttachment(fileAttachment("atc_2", { name: "\u0000" }), alice), TypeError);
        await assert.rejects(store.loadAttachment("atc_2", alice), isNotFound);
      });
    });

    describe("text rule: NUL and lone surrogates", () => {
      const NUL = "\u0000";
      const HALF = "\ud83d"; // half of 😀
      const refused = (pattern: RegExp) => (error: unknown) => error instanceof TypeError && pattern.test(error.message);

      test("a record holding one is refused before anything is written, naming the field", async () => {
        const store = await create();
        await assert.rejects(store.saveThread(thread("thr_1", 0, { title: `a${NUL}` }), none), refused(/^Thread "thr_1" cannot be stored: title: contains U\+0000 \(NUL\)$/));
        await assert.rejects(store.saveThread(thread(`thr_${HALF}`), none), refused(/^Thread "thr_\\ud83d" cannot be stored: id: contains a lone surrogate/));
        await assert.rejects(store.saveThread(thread("thr_1", 0, { metadata: { [NUL]: 1 } }), none), refused(/: metadata: a key contains U\+0000/));
        assert.deepEqual(await store.loadThreads(10, undefined, "asc", none), { data: [], has_more: false });

        await store.saveThread(thread("thr_1"), none);
        await assert.rejects(store.addThreadItem("thr_1", message("msg_1", "thr_1", 0, `x${HALF}`), none), refused(/^Item "msg_1" cannot be stored: content\.0\.text: contains a lone surrogate/));
        await assert.rejects(store.saveItem("thr_1", message("msg_1", "thr_1", 0, NUL), none), refused(/^Item "msg_1" cannot be stored: content\.0\.text: contains U\+0000/));
        const tagged = everyItemKind("thr_1")[0]!;
        await assert.rejects(store.addThreadItem("thr_1", { ...tagged, content: [{ type: "input_tag", id: "t", text: "T", data: { deep: [{ x: NUL }] }, interactive: false }] } as ThreadItem, none), refused(/content\.0\.data\.deep\.0\.x: contains U\+0000/));
        assert.deepEqual(await store.loadThreadItems("thr_1", undefined, 10, "asc", none), { data: [], has_more: false });

        await assert.rejects(store.saveAttachment(fileAttachment("atc_1", { name: `${NUL}.pdf` }), none), refused(/^Attachment "atc_1" cannot be stored: name: contains U\+0000/));
        await assert.rejects(store.loadAttachment("atc_1", none), isNotFound);
      });

      test("an id holding one names nothing: reads miss, deletes do nothing", async () => {
        const store = await create();
        // U+FFFD is what a lossy encoder would turn a lone surrogate into: no aliasing.
        await store.saveThread(thread("thr_\uFFFD"), none);
        await store.addThreadItem("thr_\uFFFD", message("msg_\uFFFD", "thr_\uFFFD"), none);
        await store.saveAttachment(fileAttachment("atc_\uFFFD"), none);
        for (const bad of [`thr_${NUL}`, `thr_${HALF}`, "thr_\udfff"]) {
          await assert.rejects(store.loadThread(bad, none), isNotFound);
          await assert.rejects(store.loadItem(bad, "msg_\uFFFD", none), isNotFound);
          await assert.rejects(store.loadItem("thr_\uFFFD", bad.replace("thr", "msg"), none), isNotFound);
          assert.deepEqual(await store.loadThreadItems(bad, undefined, 10, "asc", none), { data: [], has_more: false });
          await assert.rejects(store.loadThreadItems("thr_\uFFFD", bad, 10, "asc", none), isNotFound);
          await assert.rejects(store.loadThreads(10, bad, "asc", none), isNotFound);
          await assert.rejects(store.addThreadItem(bad, message("msg_2", bad.replace(HALF, "")), none), isNotFound);
          await assert.rejects(store.loadAttachment(bad.replace("thr", "atc"), none), isNotFound);
          await store.deleteThreadItem("thr_\uFFFD", bad.replace("thr", "msg"), none);
          await store.deleteAttachment(bad.replace("thr", "atc"), none);
          await store.deleteThread(bad, none);
        }
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", none)), ["thr_\uFFFD"]);
        assert.deepEqual(ids(await store.loadThreadItems("thr_\uFFFD", undefined, 10, "asc", none)), ["msg_\uFFFD"]);
        assert.deepEqual(await store.loadAttachment("atc_\uFFFD", none), fileAttachment("atc_\uFFFD"));
      });

      test("well-formed text round-trips exactly in ids, titles, names and text", async () => {
        const store = await create();
        const awkward = "😀 👩‍👩‍👧 \uFFFD \uFFFF \u0001 \u001f \u2028 \u202E e\u0301 𝔘 \\u0000 \"q\"";
        const id = "thr_😀\u0001𝔘";
        await store.saveThread(thread(id, 0, { title: awkward, metadata: { [awkward]: [awkward] } }), none);
        await store.addThreadItem(id, message("msg_😀", id, 0, awkward), none);
        await store.saveAttachment(fileAttachment("atc_😀", { name: awkward, thread_id: id }), none);
        assert.deepEqual(await store.loadThread(id, none), thread(id, 0, { title: awkward, metadata: { [awkward]: [awkward] } }));
        assert.deepEqual(await store.loadItem(id, "msg_😀", none), message("msg_😀", id, 0, awkward));
        assert.deepEqual((await store.loadThreadItems(id, undefined, 10, "asc", none)).data, [message("msg_😀", id, 0, awkward)]);
        assert.deepEqual(await store.loadAttachment("atc_😀", none), fileAttachment("atc_😀", { name: awkward, thread_id: id }));
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", none)), [id]);
      });
    });

    describe("owner isolation", () => {
      async function twoOwners(): Promise<Store<Ctx>> {
        const store = await create(scoped);
        await store.saveThread(thread("thr_a", 1, { title: "A" }), alice);
        await store.addThreadItem("thr_a", message("msg_a", "thr_a", 1), alice);
        await store.saveAttachment(fileAttachment("atc_a", { thread_id: "thr_a" }), alice);
        await store.saveThread(thread("thr_b", 2, { title: "B" }), bob);
        await store.addThreadItem("thr_b", message("msg_b", "thr_b", 1), bob);
        return store;
      }

      test("reads: another owner's records are missing", async () => {
        const store = await twoOwners();
        await assert.rejects(store.loadThread("thr_a", bob), isNotFound);
        await assert.rejects(store.loadThread("thr_a", none), isNotFound);
        assert.deepEqual(await store.loadThreadItems("thr_a", undefined, 10, "asc", bob), { data: [], has_more: false });
        assert.deepEqual(await store.loadThreadItems("thr_a", "msg_a", 10, "asc", bob), { data: [], has_more: false });
        await assert.rejects(store.loadItem("thr_a", "msg_a", bob), isNotFound);
        await assert.rejects(store.loadAttachment("atc_a", bob), isNotFound);
        assert.deepEqual(await store.loadThreads(10, undefined, "asc", bob), { data: [thread("thr_b", 2, { title: "B" })], has_more: false });
        assert.deepEqual(await store.loadThreads(10, undefined, "desc", none), { data: [], has_more: false });
        await assert.rejects(store.loadThreads(10, "thr_a", "asc", bob), isNotFound);
        // The owner still sees everything.
        assert.deepEqual(await store.loadThread("thr_a", alice), thread("thr_a", 1, { title: "A" }));
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", alice)), ["thr_a"]);
      });

      test("writes: another owner's records cannot be changed or deleted", async () => {
        const store = await twoOwners();
        await assert.rejects(store.saveThread(thread("thr_a", 1, { title: "hijacked" }), bob), isNotFound);
        await assert.rejects(store.addThreadItem("thr_a", message("msg_evil", "thr_a", 2), bob), isNotFound);
        await assert.rejects(store.saveItem("thr_a", message("msg_a", "thr_a", 1, "hijacked"), bob), isNotFound);
        await assert.rejects(store.saveAttachment(fileAttachment("atc_a", { name: "hijacked" }), bob), isNotFound);
        await store.deleteThreadItem("thr_a", "msg_a", bob);
        await store.deleteAttachment("atc_a", bob);
        await store.deleteThread("thr_a", bob);

        assert.deepEqual(await store.loadThread("thr_a", alice), thread("thr_a", 1, { title: "A" }));
        assert.deepEqual(await store.loadThreadItems("thr_a", undefined, 10, "asc", alice), {
          data: [message("msg_a", "thr_a", 1)],
          has_more: false,
        });
        assert.deepEqual(await store.loadAttachment("atc_a", alice), fileAttachment("atc_a", { thread_id: "thr_a" }));
      });

      test("the owner's own deletes work", async () => {
        const store = await twoOwners();
        await store.deleteThread("thr_a", alice);
        await assert.rejects(store.loadThread("thr_a", alice), isNotFound);
        await assert.rejects(store.loadAttachment("atc_a", alice), isNotFound);
        assert.deepEqual(ids(await store.loadThreads(10, undefined, "asc", bob)), ["thr_b"]);
        assert.deepEqual(ids(await store.loadThreadItems("thr_b", undefined, 10, "asc", bob)), ["msg_b"]);
      });

      test("no owner function: one shared space", async () => {
        const store = await create();
        await store.saveThread(thread("thr_1"), alice);
        assert.deepEqual(await store.loadThread("thr_1", bob), thread("thr_1"));
      });
    });

    describe("concurrent writes", () => {
      test("parallel adds to one thread all land, in created_at order", async () => {
        const store = await create();
        await store.saveThread(thread("thr_c"), none);
        const n = 60;
        await Promise.all(
          Array.from({ length: n }, (_, i) => store.addThreadItem("thr_c", message(`msg_${String(i).padStart(3, "0")}`, "thr_c", i), none)),
        );
        const all = await walk((cursor) => store.loadThreadItems("thr_c", cursor, 7, "asc", none));
        assert.deepEqual(all.ids, Array.from({ length: n }, (_, i) => `msg_${String(i).padStart(3, "0")}`));
      });

      test("parallel upserts of one id leave exactly one item", async () => {
        const store = await create();
        await store.saveThread(thread("thr_c"), none);
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.addThreadItem("thr_c", message("msg_same", "thr_c", 0, `v${i}`), none)),
        );
        const page = await store.loadThreadItems("thr_c", undefined, 100, "asc", none);
        assert.equal(page.data.length, 1);
        assert.match((page.data[0] as Extract<ThreadItem, { type: "assistant_message" }>).content[0]!.text, /^v\d+$/);
      });

      test("parallel thread saves, item adds and deletes across threads", async () => {
        const store = await create(scoped);
        const owners = [alice, bob];
        await Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            const ctx = owners[i % 2]!;
            await store.saveThread(thread(`thr_${i}`, i), ctx);
            await Promise.all([0, 1, 2].map((j) => store.addThreadItem(`thr_${i}`, message(`msg_${i}_${j}`, `thr_${i}`, j), ctx)));
            if (i % 3 === 0) await store.deleteThread(`thr_${i}`, ctx);
          }),
        );
        for (const [k, ctx] of owners.entries()) {
          const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 2 === k && i % 3 !== 0);
          const listed = await walk((cursor) => store.loadThreads(4, cursor, "asc", ctx));
          assert.deepEqual(listed.ids, expected.map((i) => `thr_${i}`));
          for (const i of expected) {
            assert.deepEqual(ids(await store.loadThreadItems(`thr_${i}`, undefined, 10, "asc", ctx)), [`msg_${i}_0`, `msg_${i}_1`, `msg_${i}_2`]);
          }
        }
      });
    });

    test("timestamps order by instant, not by string", async () => {
      const store = await create();
      // 10:00+02:00 is 08:00Z: earlier than 09:00Z although it sorts later as a string.
      await store.saveThread(thread("thr_1", 0, { created_at: "2025-06-01T09:00:00Z" }), none);
      await store.saveThread(thread("thr_2", 0, { created_at: "2025-06-01T10:00:00+02:00" }), none);
      const listed: ThreadMetadata[] = (await store.loadThreads(10, undefined, "asc", none)).data;
      assert.deepEqual(listed.map((t) => [t.id, t.created_at]), [
        ["thr_2", "2025-06-01T10:00:00+02:00"],
        ["thr_1", "2025-06-01T09:00:00Z"],
      ]);
      assert.equal(at(0), "2025-06-01T00:00:00.000Z");
    });
  });
}
