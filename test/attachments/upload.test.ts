import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ADAPTERS, auth, bytesOf, chatkit, createAttachment, fileForm, PNG, storedFiles, type App } from "./support.js";

const alice = { userId: "alice" };

for (const [name, mount] of ADAPTERS) {
  describe(`attachments over HTTP: ${name}`, () => {
    let app: App;
    before(async () => {
      app = await mount({ maxBytes: 4096 });
    });
    after(() => app.close());

    test("two-phase: create, upload multipart, preview gives the same bytes", async () => {
      const created = await createAttachment(app, { name: "pixel.png", size: PNG.byteLength, mime_type: "image/png" });
      const { id } = created;
      assert.match(id, /^atc_[0-9a-f]{24}$/);
      assert.deepEqual(created, {
        type: "image",
        id,
        name: "pixel.png",
        mime_type: "image/png",
        preview_url: created.preview_url,
        upload_descriptor: { url: `${app.base}/${id}/upload`, method: "POST", headers: {} },
      });
      assert.match(created.preview_url!, new RegExp(`^${app.base}/${id}/preview\\?token=[A-Za-z0-9_-]{32}$`));
      assert.deepEqual((await app.store.loadAttachment(id, alice)).metadata, { size: PNG.byteLength });
      // Before the upload there is nothing to preview.
      assert.equal((await fetch(created.preview_url!)).status, 404);

      const upload = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(PNG, "pixel.png", "image/png"), headers: auth() });
      assert.equal(upload.status, 200);
      assert.equal(upload.headers.get("content-type"), "application/json; charset=utf-8");
      const { upload_descriptor: _descriptor, ...uploaded } = created;
      assert.deepEqual(await upload.json(), uploaded);
      const stored = await app.store.loadAttachment(id, alice);
      assert.equal("upload_descriptor" in stored, false);
      assert.deepEqual(stored, { ...uploaded, metadata: { size: PNG.byteLength } });
      assert.equal((await storedFiles(app)).length, 2); // the bytes and their info, no temp file

      const preview = await fetch(created.preview_url!);
      assert.equal(preview.status, 200);
      assert.equal(preview.headers.get("content-type"), "image/png");
      assert.equal(preview.headers.get("content-length"), String(PNG.byteLength));
      assert.equal(preview.headers.get("x-content-type-options"), "nosniff");
      assert.equal(preview.headers.get("content-disposition"), "inline; filename*=UTF-8''pixel.png");
      assert.deepEqual(new Uint8Array(await preview.arrayBuffer()), PNG);
      assert.deepEqual(await app.attachments.read(id, alice), PNG);

      // Uploading again is refused, and changes nothing.
      const again = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(bytesOf(PNG.byteLength), "x.png", "image/png"), headers: auth() });
      assert.equal(again.status, 409);
      assert.deepEqual(await again.json(), { error: `Attachment ${id} is already uploaded` });
      assert.deepEqual(await app.attachments.read(id, alice), PNG);
    });

    test("two-phase: a raw body is accepted too", async () => {
      const body = new TextEncoder().encode("hello, file\n");
      const created = await createAttachment(app, { name: "notes.txt", size: body.byteLength, mime_type: "text/plain" });
      assert.equal(created.type, "file");
      assert.equal("preview_url" in created, false);
      const upload = await fetch(created.upload_descriptor.url, { method: "POST", body, headers: { "content-type": "text/plain; charset=utf-8", ...auth() } });
      assert.equal(upload.status, 200);
      assert.deepEqual(await app.attachments.read(created.id, alice), body);
      const { info } = await app.attachments.open(created.id, alice);
      assert.deepEqual(info, { id: created.id, name: "notes.txt", mime_type: "text/plain", size: body.byteLength });
    });

    test("a multipart upload of several chunks with other fields", async () => {
      const body = bytesOf(4000);
      const created = await createAttachment(app, { name: "data.json", size: body.byteLength, mime_type: "application/json" });
      const form = fileForm(body, "data.json", "application/json", { note: "first", other: "x".repeat(300) });
      const upload = await fetch(created.upload_descriptor.url, { method: "POST", body: form, headers: auth() });
      assert.equal(upload.status, 200);
      assert.deepEqual(await app.attachments.read(created.id, alice), body);
    });

    test("direct upload: POST multipart to the base URL creates and stores the attachment", async () => {
      const body = new TextEncoder().encode("# Title\n");
      // Browsers send no type for .md files: it is taken from the extension.
      const response = await fetch(app.base, { method: "POST", body: fileForm(body, "readme.md", ""), headers: auth() });
      assert.equal(response.status, 200);
      const attachment = (await response.json()) as any;
      assert.match(attachment.id, /^atc_[0-9a-f]{24}$/);
      assert.deepEqual(attachment, { type: "file", id: attachment.id, name: "readme.md", mime_type: "text/markdown" });
      assert.deepEqual(await app.store.loadAttachment(attachment.id, alice), { ...attachment, metadata: { size: body.byteLength } });
      assert.deepEqual(await app.attachments.read(attachment.id, alice), body);
    });

    test("direct upload under an id that exists (a broken id generator) is a 409; the existing files stay", async () => {
      const first = await fetch(app.base, { method: "POST", body: fileForm(bytesOf(10, 1), "a.txt", "text/plain"), headers: auth() });
      const existing = (await first.json()) as { id: string };
      const files = await storedFiles(app);
      const generate = app.attachments.generateAttachmentId;
      app.attachments.generateAttachmentId = () => existing.id;
      try {
        for (const user of ["mallory", "alice"]) {
          const response = await fetch(app.base, { method: "POST", body: fileForm(bytesOf(10, 2), "b.txt", "text/plain"), headers: auth(user) });
          assert.equal(response.status, 409);
          assert.deepEqual(await response.json(), { error: `Attachment ${existing.id} already exists` });
        }
      } finally {
        app.attachments.generateAttachmentId = generate;
      }
      assert.deepEqual(await storedFiles(app), files);
      assert.deepEqual(await app.attachments.read(existing.id, alice), bytesOf(10, 1));
      assert.equal((await app.store.loadAttachment(existing.id, alice)).name, "a.txt");
    });

    test("direct upload of an image has a working preview_url", async () => {
      const response = await fetch(`${app.base}/`, { method: "POST", body: fileForm(PNG, "dot.png", "image/png"), headers: auth() });
      assert.equal(response.status, 200);
      const attachment = (await response.json()) as any;
      assert.equal(attachment.type, "image");
      assert.equal("metadata" in attachment, false);
      const preview = await fetch(attachment.preview_url);
      assert.equal(preview.status, 200);
      assert.deepEqual(new Uint8Array(await preview.arrayBuffer()), PNG);
    });

    test("direct upload needs multipart with a file field", async () => {
      const before = await storedFiles(app);
      const raw = await fetch(app.base, { method: "POST", body: "abc", headers: { "content-type": "text/plain", ...auth() } });
      assert.equal(raw.status, 415);
      const form = new FormData();
      form.append("other", "value");
      const noFile = await fetch(app.base, { method: "POST", body: form, headers: auth() });
      assert.equal(noFile.status, 400);
      assert.deepEqual(await noFile.json(), { error: "The multipart body has no `file` field" });
      assert.deepEqual(await storedFiles(app), before);
    });

    test("preview needs the right token, and GET", async () => {
      const response = await fetch(app.base, { method: "POST", body: fileForm(PNG, "p.png", "image/png"), headers: auth() });
      const { id, preview_url } = (await response.json()) as { id: string; preview_url: string };
      assert.equal((await fetch(`${app.base}/${id}/preview`)).status, 404);
      assert.equal((await fetch(`${app.base}/${id}/preview?token=${"A".repeat(32)}`)).status, 404);
      const post = await fetch(preview_url, { method: "POST" });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET, HEAD");
      const head = await fetch(preview_url, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(PNG.byteLength));
    });

    test("unknown, foreign and unauthenticated uploads are refused", async () => {
      const unknown = await fetch(`${app.base}/atc_00000000/upload`, { method: "POST", body: fileForm(PNG, "a.png", "image/png"), headers: auth() });
      assert.equal(unknown.status, 404);
      assert.deepEqual(await unknown.json(), { error: "Attachment not found: atc_00000000" });

      const created = await createAttachment(app, { name: "a.png", size: PNG.byteLength, mime_type: "image/png" });
      const foreign = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(PNG, "a.png", "image/png"), headers: auth("mallory") });
      assert.equal(foreign.status, 404);
      const denied = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(PNG, "a.png", "image/png"), headers: auth("denied") });
      assert.equal(denied.status, 401);
      const get = await fetch(created.upload_descriptor.url);
      assert.equal(get.status, 405);
      assert.ok((await app.store.loadAttachment(created.id, alice)).upload_descriptor);
    });

    test("the ChatKit endpoint still works and still refuses non-POST", async () => {
      const list = await chatkit(app, { type: "threads.list", params: {} });
      assert.equal(list.status, 200);
      assert.deepEqual(await list.json(), { data: [], has_more: false });
      const get = await fetch(app.endpoint);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");
    });

    describe("limits", () => {
      test("attachments.create refuses a size over the maximum (413) and a type not allowed (415)", async () => {
        const big = await chatkit(app, { type: "attachments.create", params: { name: "big.png", size: 4097, mime_type: "image/png" } });
        assert.equal(big.status, 413);
        assert.deepEqual(await big.json(), { error: "Attachment is larger than 4096 bytes" });
        const html = await chatkit(app, { type: "attachments.create", params: { name: "x.html", size: 10, mime_type: "text/html" } });
        assert.equal(html.status, 415);
        assert.deepEqual(await html.json(), { error: "Attachments of type text/html are not accepted" });
      });

      test("a body larger than declared is a 413 and leaves nothing behind", async () => {
        const created = await createAttachment(app, { name: "a.txt", size: 10, mime_type: "text/plain" });
        const before = await storedFiles(app);
        for (const body of [fileForm(bytesOf(11), "a.txt", "text/plain"), bytesOf(11)]) {
          const response = await fetch(created.upload_descriptor.url, { method: "POST", body, headers: auth() });
          assert.equal(response.status, 413);
          assert.deepEqual(await response.json(), { error: "Upload is larger than 10 bytes" });
        }
        assert.deepEqual(await storedFiles(app), before);
        const stored = await app.store.loadAttachment(created.id, alice);
        assert.deepEqual(stored.upload_descriptor, created.upload_descriptor);
      });

      test("a body smaller than declared is a 400 and leaves nothing behind", async () => {
        const created = await createAttachment(app, { name: "a.txt", size: 10, mime_type: "text/plain" });
        const before = await storedFiles(app);
        const response = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(bytesOf(9), "a.txt", "text/plain"), headers: auth() });
        assert.equal(response.status, 400);
        assert.deepEqual(await response.json(), { error: "Upload has 9 bytes, 10 were declared" });
        assert.deepEqual(await storedFiles(app), before);
        assert.ok((await app.store.loadAttachment(created.id, alice)).upload_descriptor);
        // The upload can then be done right.
        const retry = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(bytesOf(10), "a.txt", "text/plain"), headers: auth() });
        assert.equal(retry.status, 200);
      });

      test("a direct upload over the maximum is a 413 and leaves nothing behind", async () => {
        const before = await storedFiles(app);
        const response = await fetch(app.base, { method: "POST", body: fileForm(bytesOf(4097), "big.txt", "text/plain"), headers: auth() });
        assert.equal(response.status, 413);
        assert.deepEqual(await storedFiles(app), before);
      });

      test("a type other than declared, or not allowed, is a 415 and leaves nothing behind", async () => {
        const created = await createAttachment(app, { name: "a.png", size: PNG.byteLength, mime_type: "image/png" });
        const before = await storedFiles(app);
        const gif = await fetch(created.upload_descriptor.url, { method: "POST", body: fileForm(PNG, "a.gif", "image/gif"), headers: auth() });
        assert.equal(gif.status, 415);
        assert.deepEqual(await gif.json(), { error: "Upload is image/gif, but image/png was declared" });
        const raw = await fetch(created.upload_descriptor.url, { method: "POST", body: PNG, headers: { "content-type": "text/html", ...auth() } });
        assert.equal(raw.status, 415);
        const exe = await fetch(app.base, { method: "POST", body: fileForm(PNG, "a.exe", "application/x-msdownload"), headers: auth() });
        assert.equal(exe.status, 415);
        assert.deepEqual(await exe.json(), { error: "Attachments of type application/x-msdownload are not accepted" });
        assert.deepEqual(await storedFiles(app), before);
        assert.ok((await app.store.loadAttachment(created.id, alice)).upload_descriptor);
      });

      test("a malformed multipart body is a 400 and leaves nothing behind", async () => {
        const created = await createAttachment(app, { name: "a.txt", size: 5, mime_type: "text/plain" });
        const before = await storedFiles(app);
        const truncated = '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello';
        const response = await fetch(created.upload_descriptor.url, {
          method: "POST",
          body: truncated,
          headers: { "content-type": "multipart/form-data; boundary=XyZ", ...auth() },
        });
        assert.equal(response.status, 400);
        assert.deepEqual(await response.json(), { error: "Invalid multipart body: Unexpected end of form" });
        assert.deepEqual(await storedFiles(app), before);
      });
    });

    describe("path traversal", () => {
      test("ids and paths with ../ never reach outside the directory", async () => {
        const sentinel = join(app.root, "sentinel.txt");
        await writeFile(sentinel, "keep me");
        const rootBefore = (await readdir(app.root)).sort();
        const filesBefore = await storedFiles(app);
        const form = () => fileForm(bytesOf(5), "a.txt", "text/plain");
        // Encoded slashes and dots reach the route as part of the id, and fail its pattern.
        for (const id of ["..%2F..%2Fsentinel.txt", "..%2Fsentinel.txt", "..%5C..%5Csentinel.txt", "%2E%2E%2Fx", ".hidden", "a%00b"]) {
          const upload = await fetch(`${app.base}/${id}/upload`, { method: "POST", body: form(), headers: auth() });
          assert.equal(upload.status, 404, id);
          const preview = await fetch(`${app.base}/${id}/preview?token=x`);
          assert.equal(preview.status, 404, id);
        }
        // Literal dot segments are resolved before routing: they land on the ChatKit endpoint.
        for (const path of ["/chatkit/attachments/../../sentinel.txt/upload", "/chatkit/attachments/%2e%2e/%2e%2e/upload"]) {
          const response = await rawPost(app, path);
          assert.ok(response >= 400 && response < 500, `${path}: ${response}`);
        }
        // attachments.delete with a crafted id is a no-op.
        for (const attachment_id of ["../sentinel.txt", "../../etc/passwd", "/etc/passwd"]) {
          const response = await chatkit(app, { type: "attachments.delete", params: { attachment_id } });
          assert.equal(response.status, 200);
        }
        await assert.rejects(app.attachments.read("../sentinel.txt", alice), { name: "NotFoundError" });
        assert.equal(await readFile(sentinel, "utf8"), "keep me");
        assert.deepEqual((await readdir(app.root)).sort(), rootBefore);
        assert.deepEqual(await storedFiles(app), filesBefore);
      });
    });
  });
}

/** A POST with the path sent as is (fetch would normalize it). Resolves the status. */
async function rawPost(app: App, path: string): Promise<number> {
  const { request } = await import("node:http");
  const url = new URL(app.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "POST", path, headers: { "content-type": "text/plain", ...auth() } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end("hello");
  });
}
