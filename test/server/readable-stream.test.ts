import assert from "node:assert/strict";
import { test } from "node:test";
import { StreamingResult, type ThreadStreamEvent } from "../../src/index.js";
import { create, ctx, deferred, parseSse, TestServer } from "../support/helpers.js";

const decoder = new TextDecoder();

const delta = (text: string): ThreadStreamEvent => ({
  type: "thread.item.updated",
  item_id: "m",
  update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
});
const added = (threadId: string): ThreadStreamEvent => ({
  type: "thread.item.added",
  item: { type: "assistant_message", id: "m", thread_id: threadId, created_at: new Date().toISOString(), content: [] },
});

/** Lets every pending microtask run: what the engine can do while a reader is busy elsewhere. */
const readerBusy = () => new Promise((resolve) => setImmediate(resolve));

async function readableOf(server: TestServer) {
  const result = await server.process(JSON.stringify(create("x")), ctx);
  assert.ok(result instanceof StreamingResult);
  return result.toReadableStream().getReader();
}

const types = (chunk: Uint8Array | undefined) => parseSse(decoder.decode(chunk)).map((event) => event.type);

test("frames the engine produced while the reader was busy arrive together in its next chunk", async () => {
  const more = deferred();
  const server = new TestServer({
    async *respond(thread) {
      yield added(thread.id);
      for (const text of ["a", "b", "c"]) yield delta(text);
      await more.promise;
      yield delta("d");
    },
  });
  const reader = await readableOf(server);
  assert.deepEqual(types((await reader.read()).value), ["thread.created"]);
  await readerBusy();
  const together = (await reader.read()).value;
  assert.deepEqual(types(together), [
    "thread.item.done",
    "stream_options",
    "thread.item.added",
    "thread.item.updated",
    "thread.item.updated",
    "thread.item.updated",
  ]);
  // A reader that waits gets each frame as soon as it exists, alone.
  const waiting = reader.read();
  more.resolve();
  const alone = parseSse(decoder.decode((await waiting).value));
  assert.deepEqual(alone, [delta("d")]);
  assert.deepEqual(await reader.read(), { done: true, value: undefined });
});

test("the engine runs at most 16 KiB of frames ahead of a busy reader", async () => {
  let produced = 0;
  const server = new TestServer({
    async *respond(thread) {
      yield added(thread.id);
      for (; produced < 2_000; produced++) yield delta(`token ${produced} `);
    },
  });
  const reader = await readableOf(server);
  await reader.read();
  await readerBusy();
  const producedWhileBusy = produced;
  const chunk = decoder.decode((await reader.read()).value);
  const frameLength = `data: ${JSON.stringify(delta("token 1999 "))}\n\n`.length;
  assert.ok(chunk.length >= 16 * 1024 && chunk.length < 16 * 1024 + frameLength, `${chunk.length} characters`);
  assert.ok(producedWhileBusy < 2_000, `${producedWhileBusy} deltas produced`);
  // The rest still arrives, in order.
  let rest = "";
  for (let next = await reader.read(); !next.done; next = await reader.read()) rest += decoder.decode(next.value);
  const deltas = parseSse(chunk + rest).flatMap((event) => (event.type === "thread.item.updated" && event.update.type === "assistant_message.content_part.text_delta" ? [event.update.delta] : []));
  assert.deepEqual(deltas, Array.from({ length: 2_000 }, (_, index) => `token ${index} `));
});

test("cancelling while frames wait drops them and cancels the turn once, keeping what was produced", async () => {
  const cancelled: string[][] = [];
  const server = new TestServer({
    async *respond(thread, _input, _context, turn) {
      yield added(thread.id);
      for (const text of ["a", "b", "c"]) yield delta(text);
      await new Promise((resolve) => turn.signal.addEventListener("abort", resolve, { once: true }));
    },
    async handleStreamCancelled(_thread, pending) {
      cancelled.push(pending.map((item) => (item.type === "assistant_message" ? item.content.map((part) => part.text).join("") : item.type)));
    },
  });
  const reader = await readableOf(server);
  assert.deepEqual(types((await reader.read()).value), ["thread.created"]);
  await readerBusy();
  await reader.cancel();
  // Like bytes in a socket buffer, the frames the reader never read were produced: the partial
  // answer holds their text.
  assert.deepEqual(cancelled, [["abc"]]);
});
