import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import net from "node:net";
import {
  InMemoryStore,
  InProcessThreadLock,
  RequestError,
  toFetchHandler,
  toNodeHandler,
  type ThreadItem,
  type ThreadLock,
  type Turn,
} from "../../src/index.js";
import { addMessage, create, createdThreadId, deferred, MemoryLogger, now, parseSse, TestServer, type TestContext } from "../support/helpers.js";

/** A respond that streams a message slowly until the client goes away, recording the abort. */
function slowServer() {
  const aborted = deferred<unknown>();
  const finallyRan = deferred();
  const server = new TestServer({
    async *respond(thread, input, _context, turn: Turn) {
      const text = input?.content[0]?.type === "input_text" ? input.content[0].text : "";
      if (text !== "slow") {
        yield { type: "thread.item.done", item: { type: "assistant_message", id: `a_${Date.now()}`, thread_id: thread.id, created_at: now(), content: [{ type: "output_text", text: `echo ${text}`, annotations: [] }] } };
        return;
      }
      turn.signal.addEventListener("abort", () => aborted.resolve(turn.signal.reason));
      try {
        yield { type: "thread.item.added", item: { type: "assistant_message", id: "partial", thread_id: thread.id, created_at: now(), content: [] } };
        for (let i = 0; ; i++) {
          yield { type: "thread.item.updated", item_id: "partial", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: `w${i} ` } };
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (turn.signal.aborted) return;
        }
      } finally {
        finallyRan.resolve();
      }
    },
  }, { store: new InMemoryStore<TestContext>({ owner: (context) => context.userId }) });
  return { server, aborted: aborted.promise, finallyRan: finallyRan.promise };
}

interface Mounted {
  url: string;
  close(): Promise<void>;
}

const authContext = (header: string | null | undefined): TestContext => {
  if (header === "Bearer denied") throw new RequestError(401, "Unauthorized");
  return { userId: header ?? "anonymous" };
};

type MountOptions = {
  maxBodyBytes?: number;
  keepAliveMs?: number;
  requireJsonContentType?: boolean;
  /** Told when a request's context is built, and what the adapter answered (no status: nothing written). */
  observe?: { context?(): void; answered(status: number | undefined, tag: string | undefined): void };
};

async function mountNode(server: TestServer, { observe, ...options }: MountOptions = {}): Promise<Mounted> {
  const handler = toNodeHandler(server, {
    context: (req) => {
      observe?.context?.();
      return authContext(req.headers.authorization);
    },
    ...options,
  });
  const httpServer = http.createServer(async (req, res) => {
    await handler(req, res);
    observe?.answered(res.headersSent ? res.statusCode : undefined, req.headers["x-tag"] as string | undefined);
  });
  httpServer.listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/chatkit`,
    close: () => new Promise((resolve) => { httpServer.closeAllConnections(); httpServer.close(() => resolve()); }),
  };
}

async function mountFetch(server: TestServer, { observe, ...options }: MountOptions = {}): Promise<Mounted> {
  const handler = toFetchHandler(server, {
    context: (req) => {
      observe?.context?.();
      return authContext(req.headers.get("authorization"));
    },
    ...options,
  });
  const app = new Hono();
  app.all("/chatkit", async (c) => {
    const response = await handler(c.req.raw);
    observe?.answered(response.status, c.req.header("x-tag"));
    return response;
  });
  const listening = deferred<AddressInfo>();
  const httpServer = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => listening.resolve(info));
  const { port } = await listening.promise;
  return {
    url: `http://127.0.0.1:${port}/chatkit`,
    close: () => new Promise((resolve) => { (httpServer as http.Server).closeAllConnections(); httpServer.close(() => resolve()); }),
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });

for (const [name, mount] of [["toNodeHandler", mountNode], ["toFetchHandler (Hono)", mountFetch]] as const) {
  describe(name, () => {
    let slow: ReturnType<typeof slowServer>;
    let app: Mounted;
    before(async () => {
      slow = slowServer();
      app = await mount(slow.server, { maxBodyBytes: 4096, keepAliveMs: 50 });
    });
    after(() => app.close());

    test("a streaming request answers 200 text/event-stream with SSE frames", async () => {
      const response = await post(app.url, create("hello"));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
      assert.equal(response.headers.get("cache-control"), "no-cache, no-transform");
      assert.equal(response.headers.get("x-accel-buffering"), "no");
      const text = await response.text();
      assert.match(text, /^data: \{"type":"thread.created"/);
      const events = parseSse(text);
      assert.deepEqual(events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "thread.item.done"]);
      assert.equal(text.split("\n\n").filter(Boolean).length, 4);
    });

    test("a non-streaming request answers 200 JSON", async () => {
      const response = await post(app.url, { type: "threads.list", params: {} }, { authorization: "owner-a" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      assert.deepEqual(await response.json(), { data: [], has_more: false });
    });

    test("bad JSON and bad requests answer 400 naming the problem", async () => {
      let response = await post(app.url, "{not json");
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /^Invalid JSON/);
      response = await post(app.url, { type: "threads.create", params: { input: { content: "x" } } });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /params\.input\.content/);
      response = await post(app.url, { type: "threads.explode", params: {} });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /type/);
    });

    test("an unknown thread is a 404; nothing is stored for rejected requests", async () => {
      const response = await post(app.url, addMessage("thr_missing", "hi"), { authorization: "owner-404" });
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), { error: "Thread thr_missing not found" });
      const list = await post(app.url, { type: "threads.list", params: {} }, { authorization: "owner-404" });
      assert.deepEqual(await list.json(), { data: [], has_more: false });
    });

    test("a body over the limit is a 413, a GET a 405, a refused context its own status", async () => {
      const big = await post(app.url, JSON.stringify({ type: "threads.list", params: {}, metadata: { pad: "x".repeat(5000) } }));
      assert.equal(big.status, 413);
      assert.match(((await big.json()) as { error: string }).error, /larger than 4096 bytes/);
      const get = await fetch(app.url);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");
      const denied = await post(app.url, create("x"), { authorization: "Bearer denied" });
      assert.equal(denied.status, 401);
      assert.deepEqual(await denied.json(), { error: "Unauthorized" });
    });

    test("a body that is not declared application/json is a 415 (cross-site form posts cannot reach the endpoint)", async () => {
      const body = JSON.stringify(create("csrf"));
      const user = { authorization: "owner-csrf" };
      for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "application/json-patch+json"]) {
        const response = await fetch(app.url, { method: "POST", body, headers: { "content-type": type, ...user } });
        assert.equal(response.status, 415, type);
        assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
        assert.deepEqual(await response.json(), { error: `Content-Type must be application/json, not ${type}` });
      }
      // No Content-Type at all (a Blob without a type sends none).
      const bare = await fetch(app.url, { method: "POST", body: new Blob([body]), headers: user });
      assert.equal(bare.status, 415);
      assert.deepEqual(await bare.json(), { error: "Content-Type must be application/json, not (none)" });
      assert.deepEqual(await (await post(app.url, { type: "threads.list", params: {} }, user)).json(), { data: [], has_more: false });
      // Parameters and case do not matter.
      for (const type of ["application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8"]) {
        const response = await fetch(app.url, { method: "POST", body: JSON.stringify({ type: "threads.list", params: {} }), headers: { "content-type": type, ...user } });
        assert.equal(response.status, 200, type);
      }
    });

    test("requireJsonContentType: false accepts any content type", async () => {
      const relaxed = await mount(new TestServer(), { requireJsonContentType: false });
      try {
        const response = await fetch(relaxed.url, { method: "POST", body: JSON.stringify({ type: "threads.list", params: {} }) });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { data: [], has_more: false });
      } finally {
        await relaxed.close();
      }
    });

    test("an idle stream gets keep-alive comments", async () => {
      const idle = new TestServer({
        async *respond() {
          await new Promise((resolve) => setTimeout(resolve, 130));
          yield { type: "progress_update", text: "late" };
        },
      });
      const mounted = await mount(idle, { keepAliveMs: 50 });
      try {
        const text = await (await post(mounted.url, create("x"))).text();
        assert.ok(text.split(": keep-alive\n\n").length - 1 >= 1, text);
        assert.deepEqual(parseSse(text).map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "progress_update"]);
      } finally {
        await mounted.close();
      }
    });

    test("a client hang-up aborts the turn, keeps the partial answer and the note", async () => {
      const created = parseSse(await (await post(app.url, create("start"), { authorization: "hangup" })).text());
      const threadId = createdThreadId(created);
      const controller = new AbortController();
      const response = await post(app.url, addMessage(threadId, "slow"), { authorization: "hangup" }).then((r) => r);
      const reader = response.body!.getReader();
      let text = "";
      while ((text.match(/text_delta/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
      void controller;
      await reader.cancel();
      const reason = await slow.aborted;
      assert.ok(reason instanceof Error || reason instanceof DOMException || typeof reason === "string");
      await slow.finallyRan;
      // The next request waits for the cleanup, then sees the partial answer and the note.
      const items = (await (await post(app.url, { type: "items.list", params: { thread_id: threadId } }, { authorization: "hangup" })).json()) as { data: unknown[] };
      const next = parseSse(await (await post(app.url, addMessage(threadId, "again"), { authorization: "hangup" })).text());
      assert.deepEqual(next.map((event) => event.type), ["thread.item.done", "stream_options", "thread.item.done"]);
      const store = slow.server.store;
      const stored = (await store.loadThreadItems(threadId, undefined, 10, "desc", { userId: "hangup" })).data;
      const partial = stored.find((item: ThreadItem) => item.id === "partial");
      assert.ok(partial?.type === "assistant_message", JSON.stringify(stored));
      assert.match(partial.content[0]!.text, /^w0 w1 w2 /);
      assert.deepEqual(stored.slice(2, 4).map((item) => item.type), ["sdk_hidden_context", "assistant_message"]);
      assert.ok(Array.isArray(items.data));
    });
  });

  describe(`${name}: a client that goes away is not an error`, () => {
    /** What the adapter answered a client that left: node writes nothing, a fetch handler 499. */
    const gone = name === "toNodeHandler" ? undefined : 499;

    test("disconnecting mid-body: nothing written, nothing logged, nothing stored", async () => {
      const logger = new MemoryLogger();
      const server = new TestServer({}, { store: new InMemoryStore<TestContext>({ owner: (c) => c.userId }), logger });
      const contextBuilt = deferred();
      const answered = deferred<number | undefined>();
      const mounted = await mount(server, { observe: { context: () => contextBuilt.resolve(), answered: (status) => answered.resolve(status) } });
      try {
        const { port } = new URL(mounted.url);
        const socket = net.connect(Number(port), "127.0.0.1");
        socket.on("error", () => {});
        socket.write("POST /chatkit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: leaver\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
        socket.write(JSON.stringify(create("never finished")).slice(0, 40));
        await contextBuilt.promise;
        socket.destroy();
        assert.equal(await answered.promise, gone);
        assert.deepEqual(logger.errors, []);
        assert.deepEqual(await server.store.loadThreads(10, undefined, "asc", { userId: "leaver" }), { data: [], has_more: false });
      } finally {
        await mounted.close();
      }
    });

    test("disconnecting while queued for the thread's lock: nothing written, nothing logged, nothing stored", async () => {
      const logger = new MemoryLogger();
      const gate = deferred();
      const lock = new InProcessThreadLock();
      const queued = deferred();
      let acquired = 0;
      const threadLock: ThreadLock = {
        acquire(threadId, signal) {
          // The first turn (threads.create) and "hold" take the lock; the third request queues.
          if (++acquired === 3) queued.resolve();
          return lock.acquire(threadId, signal);
        },
      };
      const server = new TestServer(
        {
          async *respond(thread, input) {
            if (input?.content[0]?.type === "input_text" && input.content[0].text === "hold") await gate.promise;
            yield { type: "thread.item.done", item: { type: "assistant_message", id: `a_${input?.id}`, thread_id: thread.id, created_at: now(), content: [{ type: "output_text", text: "done", annotations: [] }] } };
          },
        },
        { store: new InMemoryStore<TestContext>({ owner: (c) => c.userId }), logger, threadLock },
      );
      const leaverAnswered = deferred<number | undefined>();
      const mounted = await mount(server, { observe: { answered: (status, tag) => tag === "leaver" && leaverAnswered.resolve(status) } });
      const user = { authorization: "queued" };
      try {
        const threadId = createdThreadId(parseSse(await (await post(mounted.url, create("first"), user)).text()));
        const holding = await post(mounted.url, addMessage(threadId, "hold"), user); // holds the lock until the gate opens
        const leaving = new AbortController();
        const waiting = fetch(mounted.url, { method: "POST", body: JSON.stringify(addMessage(threadId, "left while queued")), headers: { "content-type": "application/json", "x-tag": "leaver", ...user }, signal: leaving.signal });
        waiting.catch(() => {});
        await queued.promise;
        leaving.abort();
        assert.equal(await leaverAnswered.promise, gone);
        gate.resolve();
        await holding.text();
        assert.deepEqual(logger.errors, []);
        const items = await server.store.loadThreadItems(threadId, undefined, 20, "asc", { userId: "queued" });
        const texts = items.data.map((item) => (item.type === "user_message" && item.content[0]?.type === "input_text" ? item.content[0].text : item.type));
        assert.deepEqual(texts, ["first", "assistant_message", "hold", "assistant_message"]);
      } finally {
        gate.resolve();
        await mounted.close();
      }
    });
  });
}
