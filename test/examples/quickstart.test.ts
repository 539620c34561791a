import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { app, nodeHandler } from "../../examples/quickstart.js";
import { parseSse } from "../support/helpers.js";

const body = JSON.stringify({ type: "threads.create", params: { input: { content: [{ type: "input_text", text: "hello there" }] } } });

test("the quick start streams the echo word by word through Hono", async () => {
  const response = await app.request("/chatkit", { method: "POST", body, headers: { "content-type": "application/json", "x-user-id": "u1" } });
  assert.equal(response.status, 200);
  const events = parseSse(await response.text());
  const deltas = events.flatMap((event) => (event.type === "thread.item.updated" && event.update.type === "assistant_message.content_part.text_delta" ? [event.update.delta] : []));
  assert.deepEqual(deltas, ["You ", "said: ", "hello ", "there "]);
  const done = events.at(-2);
  assert.ok(done?.type === "thread.item.done" && done.item.type === "assistant_message");
  assert.equal(done.item.content[0]!.text, "You said: hello there ");
  const updated = events.at(-1);
  assert.ok(updated?.type === "thread.updated");
  assert.equal(updated.thread.title, "hello there");
});

test("the quick start answers over node:http, scoped per user", async () => {
  const server = http.createServer((req, res) => void nodeHandler(req, res)).listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chatkit`;
  try {
    await (await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "x-user-id": "u2" } })).text();
    const list = (user: string) =>
      fetch(url, { method: "POST", body: '{"type":"threads.list","params":{}}', headers: { "content-type": "application/json", "x-user-id": user } }).then((r) => r.json() as Promise<{ data: unknown[] }>);
    assert.equal((await list("u2")).data.length, 1);
    assert.deepEqual(await list("someone-else"), { data: [], has_more: false });
  } finally {
    server.close();
  }
});
