import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { RequestError, type ChatKitServer } from "../../src/index.js";
import { call, create, createdThreadId, ctx, MemoryLogger, stream, TestServer, type TestContext } from "../support/helpers.js";
import { shippedStores } from "../support/stores.js";

/** The status and message `process` refuses `request` with. */
async function refusal<C>(server: ChatKitServer<C>, request: unknown, context: C): Promise<{ status: number; message: string }> {
  try {
    await server.process(JSON.stringify(request), context);
  } catch (error) {
    assert.ok(error instanceof RequestError, String(error));
    return { status: error.status, message: error.message };
  }
  assert.fail("the request was accepted");
}

const stores = shippedStores();
after(() => stores.cleanup());

for (const kind of stores.kinds) {
  describe(`bad input never reaches the ${kind.name} store`, { skip: kind.skip }, () => {
    const newServer = () => new TestServer({}, { store: kind.create<TestContext>({ owner: (c) => c.userId }), logger: new MemoryLogger() });

    test("an id with NUL is a 400, not a database error", async () => {
      const server = newServer();
      assert.deepEqual(await refusal(server, { type: "threads.get_by_id", params: { thread_id: "thr_\u0000" } }, ctx), {
        status: 400,
        message: "Invalid request: params.thread_id: contains U+0000 (NUL)",
      });
    });

    test("NUL or half an emoji in a new message: 400, and no thread is left behind", async () => {
      const server = newServer();
      for (const text of ["a\u0000b", "cut 😀".slice(0, -1)]) {
        const { status, message } = await refusal(server, create(text), ctx);
        assert.equal(status, 400);
        assert.match(message, /^Invalid request: params\.input\.content\.0\.text: contains /);
      }
      assert.deepEqual(await call(server, { type: "threads.list", params: {} }, ctx), { data: [], has_more: false });
    });

    test("a title with a lone surrogate is refused; the thread keeps its title", async () => {
      const server = newServer();
      const threadId = createdThreadId(await stream(server, create("hello"), ctx));
      await call(server, { type: "threads.update", params: { thread_id: threadId, title: "Kept" } }, ctx);
      const { status, message } = await refusal(server, { type: "threads.update", params: { thread_id: threadId, title: "\udc00 tail" } }, ctx);
      assert.equal(status, 400);
      assert.match(message, /^Invalid request: params\.title: contains a lone surrogate/);
      assert.equal((await call(server, { type: "threads.get_by_id", params: { thread_id: threadId } }, ctx)).title, "Kept");
    });
  });
}
