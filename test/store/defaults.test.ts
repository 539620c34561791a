import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  InMemoryStore,
  NotFoundError,
  Store,
  type Attachment,
  type Page,
  type PageOrder,
  type StoreOptions,
  type ThreadItem,
  type ThreadMetadata,
} from "../../src/index.js";
import { storeContract, type Ctx } from "./contract.js";
import { fileAttachment, message, thread } from "./fixtures.js";

/**
 * A store of the kind an integrator writes: only the abstract methods (here delegating to an
 * InMemoryStore), so `createThread` and `addAttachment` are the `Store` defaults — compensation
 * instead of a transaction. `failOn` makes one call fail on purpose.
 */
class MinimalStore extends Store<Ctx> {
  readonly inner: InMemoryStore<Ctx>;
  failOn: ((method: string, id: string) => boolean) | undefined;

  constructor(options: StoreOptions<Ctx> = {}) {
    super();
    this.inner = new InMemoryStore<Ctx>(options);
  }

  #check(method: string, id: string): void {
    if (this.failOn?.(method, id)) throw new Error(`${method} ${id} failed on purpose`);
  }

  loadThread(threadId: string, context: Ctx): Promise<ThreadMetadata> {
    return this.inner.loadThread(threadId, context);
  }
  async saveThread(thread: ThreadMetadata, context: Ctx): Promise<void> {
    this.#check("saveThread", thread.id);
    return this.inner.saveThread(thread, context);
  }
  loadThreadItems(threadId: string, after: string | undefined, limit: number, order: PageOrder, context: Ctx): Promise<Page<ThreadItem>> {
    return this.inner.loadThreadItems(threadId, after, limit, order, context);
  }
  async addThreadItem(threadId: string, item: ThreadItem, context: Ctx): Promise<void> {
    this.#check("addThreadItem", item.id);
    return this.inner.addThreadItem(threadId, item, context);
  }
  saveItem(threadId: string, item: ThreadItem, context: Ctx): Promise<void> {
    return this.inner.saveItem(threadId, item, context);
  }
  loadItem(threadId: string, itemId: string, context: Ctx): Promise<ThreadItem> {
    return this.inner.loadItem(threadId, itemId, context);
  }
  deleteThreadItem(threadId: string, itemId: string, context: Ctx): Promise<void> {
    return this.inner.deleteThreadItem(threadId, itemId, context);
  }
  loadThreads(limit: number, after: string | undefined, order: PageOrder, context: Ctx): Promise<Page<ThreadMetadata>> {
    return this.inner.loadThreads(limit, after, order, context);
  }
  async deleteThread(threadId: string, context: Ctx): Promise<void> {
    this.#check("deleteThread", threadId);
    return this.inner.deleteThread(threadId, context);
  }
  async saveAttachment(attachment: Attachment, context: Ctx): Promise<void> {
    this.#check("saveAttachment", attachment.id);
    return this.inner.saveAttachment(attachment, context);
  }
  loadAttachment(attachmentId: string, context: Ctx): Promise<Attachment> {
    return this.inner.loadAttachment(attachmentId, context);
  }
  deleteAttachment(attachmentId: string, context: Ctx): Promise<void> {
    return this.inner.deleteAttachment(attachmentId, context);
  }
}

storeContract("Store defaults (a store with only the abstract methods)", {
  create: async (options) => new MinimalStore(options),
});

describe("Store.createThread default: a store failing on purpose leaves nothing behind", () => {
  const ctx: Ctx = {};
  const linked = (id: string) => fileAttachment(id, { thread_id: "thr_new" });

  async function seeded(): Promise<MinimalStore> {
    const store = new MinimalStore();
    await store.saveAttachment(fileAttachment("atc_old", { metadata: { v: 1 } }), ctx);
    return store;
  }

  async function assertNothingLeft(store: MinimalStore) {
    await assert.rejects(store.loadThread("thr_new", ctx), NotFoundError);
    assert.deepEqual(await store.loadThreads(10, undefined, "asc", ctx), { data: [], has_more: false });
    assert.deepEqual(await store.loadAttachment("atc_old", ctx), fileAttachment("atc_old", { metadata: { v: 1 } }));
    await assert.rejects(store.loadAttachment("atc_fresh", ctx), NotFoundError);
  }

  for (const [method, id] of [["addThreadItem", "msg_2"], ["saveAttachment", "atc_fresh"], ["saveThread", "thr_new"]] as const) {
    test(`${method} failing`, async () => {
      const store = await seeded();
      store.failOn = (m, i) => m === method && i === id;
      const records = { attachments: [linked("atc_old"), linked("atc_fresh")], items: [message("msg_1", "thr_new", 1), message("msg_2", "thr_new", 2)] };
      await assert.rejects(store.createThread(thread("thr_new"), records, ctx), new RegExp(`${method} ${id} failed on purpose`));
      await assertNothingLeft(store);
      // The id is free: once the store works, the same creation succeeds.
      store.failOn = undefined;
      await store.createThread(thread("thr_new"), records, ctx);
      assert.deepEqual((await store.loadThreadItems("thr_new", undefined, 10, "asc", ctx)).data, records.items);
    });
  }

  test("an undo that fails too is reported with both errors", async () => {
    const store = await seeded();
    store.failOn = (m) => m === "addThreadItem" || m === "deleteThread";
    const error = await store.createThread(thread("thr_new"), { items: [message("msg_1", "thr_new")] }, ctx).then(
      () => assert.fail("created"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof AggregateError);
    assert.equal(error.message, "Creating thread thr_new failed, and undoing it failed too");
    assert.deepEqual(error.errors.map((e: Error) => e.message), ["addThreadItem msg_1 failed on purpose", "deleteThread thr_new failed on purpose"]);
  });
});
