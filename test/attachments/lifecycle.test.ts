import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ChatKitServer, InMemoryStore, toNodeHandler, type AudioInput, type ThreadStreamEvent } from "../../src/index.js";
import { parseSse } from "../support/helpers.js";
import { ADAPTERS, auth, chatkit, createAttachment, fileForm, PNG, storedFiles, type App } from "./support.js";
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

const alice = { userId: "alice" };

/** Creates and uploads (two-phase) an attachment for `user`; returns its wire JSON. */
async function uploaded(app: App, name: string, bytes: Uint8Array, mime: string, user = "alice") {
  const created = await createAttachment(app, { name, size: bytes.byteLength, mime_type: mime }, user);
  const response = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(bytes, name, mime), headers: auth(user) });
  assert.equal(response.status, 200);
  return (await response.json()) as { id: string; type: string; preview_url?: string };
}

async function streamEvents(app: App, request: unknown, user = "alice"): Promise<ThreadStreamEvent[]> {
  const response = await chatkit(app, request, user);
  assert.equal(response.status, 200);
  return parseSse(await response.text());
}

const message = (text: string, attachments: string[]) => ({ content: [{ type: "input_text", text }], attachments, inference_options: {} });

for (const [name, mount] of ADAPTERS) {
  describe(`attachment lifecycle: ${name}`, () => {
    let app: App;
    before(async () => {
      app = await mount();
    });
    after(() => app.close());

    test("attachments.delete removes the file and the metadata", async () => {
      const attachment = await uploaded(app, "a.png", PNG, "image/png");
      const files = await storedFiles(app);
      const response = await chatkit(app, { type: "attachments.delete", params: { attachment_id: attachment.id } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {});
      await assert.rejects(app.store.loadAttachment(attachment.id, alice), { name: "NotFoundError" });
      await assert.rejects(app.attachments.read(attachment.id, alice), { name: "NotFoundError" });
      assert.equal((await fetch(attachment.preview_url!)).status, 404);
      assert.equal((await storedFiles(app)).length, files.length - 2);
    });

    test("attachments.delete by another user answers {} and deletes nothing", async () => {
      const attachment = await uploaded(app, "mine.png", PNG, "image/png");
      const files = await storedFiles(app);
      const response = await chatkit(app, { type: "attachments.delete", params: { attachment_id: attachment.id } }, "mallory");
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {});
      assert.equal((await app.store.loadAttachment(attachment.id, alice)).id, attachment.id);
      assert.deepEqual(await app.attachments.read(attachment.id, alice), PNG);
      assert.deepEqual(await storedFiles(app), files);
    });

    test("a message links its attachments to the thread; threads.delete removes their files", async () => {
      const image = await uploaded(app, "photo.png", PNG, "image/png");
      const doc = await uploaded(app, "notes.txt", new TextEncoder().encode("some notes"), "text/plain");
      const keep = await uploaded(app, "keep.txt", new TextEncoder().encode("other thread"), "text/plain");
      const events = await streamEvents(app, { type: "threads.create", params: { input: message("look", [image.id, doc.id]) } });
      const created = events[0];
      assert.equal(created?.type, "thread.created");
      const threadId = created.type === "thread.created" ? created.thread.id : "";
      const done = events.find((event) => event.type === "thread.item.done" && event.item.type === "user_message");
      assert.ok(done && done.type === "thread.item.done" && done.item.type === "user_message");
      assert.deepEqual(done.item.attachments, [
        { type: "image", id: image.id, name: "photo.png", mime_type: "image/png", preview_url: image.preview_url, thread_id: threadId },
        { type: "file", id: doc.id, name: "notes.txt", mime_type: "text/plain", thread_id: threadId },
      ]);
      assert.equal((await app.store.loadAttachment(image.id, alice)).thread_id, threadId);
      // The metadata stays in the store for the integration.
      assert.deepEqual((await app.store.loadAttachment(doc.id, alice)).metadata, { size: 10 });
      // The converter's view: bytes by id.
      assert.deepEqual(await app.attachments.read(image.id, alice), PNG);

      const other = await streamEvents(app, { type: "threads.create", params: { input: message("other", [keep.id]) } });
      const otherId = other[0]?.type === "thread.created" ? other[0].thread.id : "";
      const before = await storedFiles(app);

      // Someone else cannot delete alice's files through her thread id.
      assert.equal((await chatkit(app, { type: "threads.delete", params: { thread_id: threadId } }, "mallory")).status, 200);
      assert.deepEqual(await storedFiles(app), before);

      const response = await chatkit(app, { type: "threads.delete", params: { thread_id: threadId } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {});
      await assert.rejects(app.store.loadThread(threadId, alice), { name: "NotFoundError" });
      for (const id of [image.id, doc.id]) {
        await assert.rejects(app.attachments.read(id, alice), { name: "NotFoundError" });
        await assert.rejects(app.store.loadAttachment(id, alice), { name: "NotFoundError" });
      }
      assert.equal((await storedFiles(app)).length, before.length - 4);
      assert.equal((await app.store.loadAttachment(keep.id, alice)).thread_id, otherId);
      assert.deepEqual(await app.attachments.read(keep.id, alice), new TextEncoder().encode("other thread"));
    });

    test("input.transcribe without a transcribe hook is a 400", async () => {
      const response = await chatkit(app, { type: "input.transcribe", params: { audio_base64: "AAAA", mime_type: "audio/webm;codecs=opus" } });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      assert.deepEqual(await response.json(), { error: "input.transcribe is not supported by this server" });
    });
  });
}

class Transcriber extends ChatKitServer<{ userId: string }> {
  calls: AudioInput[] = [];
  async *respond(): AsyncIterable<ThreadStreamEvent> {}
  override async transcribe(audio: AudioInput) {
    this.calls.push(audio);
    return { text: `heard ${audio.data.byteLength} bytes` };
  }
}

test("input.transcribe over HTTP hands the decoded audio to transcribe", async () => {
  const server = new Transcriber({ store: new InMemoryStore(), logger: { error() {}, warn() {} } });
  const handler = toNodeHandler(server, { context: () => ({ userId: "alice" }) });
  const httpServer = http.createServer((req, res) => void handler(req, res)).listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  try {
    const { port } = httpServer.address() as AddressInfo;
    const audio = Buffer.from([1, 2, 3, 4, 5]);
    const response = await fetch(`http://127.0.0.1:${port}/chatkit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "input.transcribe", params: { audio_base64: audio.toString("base64"), mime_type: "audio/ogg;codecs=opus" } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { text: "heard 5 bytes" });
    assert.deepEqual(server.calls, [{ data: new Uint8Array(audio), mime_type: "audio/ogg;codecs=opus", media_type: "audio/ogg" }]);
  } finally {
    httpServer.closeAllConnections();
    httpServer.close();
  }
});

for (const [name, mount] of ADAPTERS) {
  describe(`large and aborted uploads: ${name}`, () => {
    let app: App;
    before(async () => {
      app = await mount();
    });
    after(() => app.close());

    test("a 3 MB file streams through in many chunks", async () => {
      const bytes = new Uint8Array(3 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
      const attachment = await uploaded(app, "big.pdf", bytes, "application/pdf");
      assert.equal(attachment.type, "file");
      const download = await fetch(await app.attachments.contentUrl(attachment.id));
      assert.equal(download.status, 200);
      assert.equal(download.headers.get("content-disposition"), "attachment; filename*=UTF-8''big.pdf");
      assert.ok(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes)));
    });

    test("a client that disconnects mid-upload leaves nothing behind", async () => {
      const created = await createAttachment(app, { name: "a.txt", size: 100_000, mime_type: "text/plain" });
      const before = await storedFiles(app);
      const url = new URL(created.upload_descriptor.url);
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "text/plain", "content-length": "100000", ...auth() },
      });
      req.on("error", () => {});
      req.write(Buffer.alloc(50_000, 97));
      // Wait until the server has started writing the temporary file, then hang up.
      for (let i = 0; i < 100 && (await storedFiles(app)).length === before.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await storedFiles(app)).length, before.length + 1);
      req.destroy();
      for (let i = 0; i < 100 && (await storedFiles(app)).length !== before.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await storedFiles(app), before);
      assert.ok((await app.store.loadAttachment(created.id, alice)).upload_descriptor);
    });
  });
}
