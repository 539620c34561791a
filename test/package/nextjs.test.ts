/**
 * A Next.js App Router route handler that imports the root, `/widgets` and `/agents` of the
 * packed package, in an app without the optional peers: `next build` (Turbopack, the default)
 * bundles it, and `next start` streams a response. Offline: Next.js is linked from this
 * repository's node_modules.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { parseSse } from "../support/helpers.js";
import { createApp, exec, packFreshCheckout, repoRoot, type PackedPackage } from "./packed.js";

const ROUTE = `
import { ChatKitServer, InMemoryStore, toFetchHandler } from "chatkit-server";
import { Card, Markdown, streamWidget } from "chatkit-server/widgets";
import { accumulateText } from "chatkit-server/agents";

/** Two text deltas, as an Agents SDK run streams them. */
async function* scriptedRun() {
  for (const delta of ["Hello from ", "Next.js"]) {
    yield { type: "raw_model_stream_event", data: { type: "output_text_delta", delta } };
  }
}

async function* frames() {
  const body = Markdown({ id: "body", value: "", streaming: true });
  for await (const markdown of accumulateText(scriptedRun(), body)) yield Card({ children: [markdown] });
}

class Server extends ChatKitServer {
  async *respond(thread, input, context) {
    yield* streamWidget(thread, frames(), { generateId: () => this.store.generateItemId("message", thread, context) });
  }
}

const handle = toFetchHandler(new Server({ store: new InMemoryStore() }), { context: () => ({}) });
export const POST = (request) => handle(request);
`;

/** The deepest folder holding both paths: Turbopack compiles only files under its root. */
function commonRoot(a: string, b: string): string {
  const [x, y] = [a.split(path.sep), b.split(path.sep)];
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return x.slice(0, i).join(path.sep) || path.sep;
}

let packed: PackedPackage;
let app: string;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
before(async () => {
  packed = await packFreshCheckout();
  app = await createApp(packed, "next-app", { packages: ["next", "react", "react-dom"], files: { "app/api/chatkit/route.js": ROUTE } });
  // The linked packages live in this repository: the root must contain them and the app.
  const root = commonRoot(app, await realpath(path.join(repoRoot, "node_modules")));
  await writeFile(path.join(app, "next.config.mjs"), `export default { turbopack: { root: ${JSON.stringify(root)} } };\n`);
});
after(() => packed?.remove());

test("next build bundles a route importing the root, /widgets and /agents; next start streams it", async (t) => {
  const next = path.join(app, "node_modules", "next", "dist", "bin", "next");
  const started = performance.now();
  await exec(process.execPath, [next, "build"], { cwd: app, env });
  t.diagnostic(`next build: ${Math.round(performance.now() - started)} ms`);

  const server = spawn(process.execPath, [next, "start", "-H", "127.0.0.1", "-p", "0"], { cwd: app, env, stdio: ["ignore", "pipe", "inherit"] });
  try {
    let output = "";
    server.stdout.setEncoding("utf8");
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.on("data", (chunk: string) => {
        output += chunk;
        const local = /Local:\s+(http:\/\/\S+)/.exec(output);
        if (local) resolve(local[1]!);
      });
      server.once("exit", (code) => reject(new Error(`next start exited (${code}):\n${output}`)));
    });

    const input = { content: [{ type: "input_text", text: "hi" }], attachments: [], inference_options: {} };
    const response = await fetch(`${url}/api/chatkit`, { method: "POST", body: JSON.stringify({ type: "threads.create", params: { input } }), headers: { "content-type": "application/json" } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = parseSse(await response.text());
    const done = { type: "Card", children: [{ type: "Markdown", id: "body", value: "Hello from Next.js", streaming: false }] };
    const delta = (text: string) => ({ type: "widget.streaming_text.value_delta", component_id: "body", delta: text, done: false });
    assert.deepEqual(
      events.map((event) => (event.type === "thread.item.updated" ? event.update : event.type)),
      [
        "thread.created",
        "thread.item.done",
        "stream_options",
        "thread.item.added",
        delta("Hello from "),
        delta("Next.js"),
        { type: "widget.root.updated", widget: done },
        "thread.item.done",
      ],
    );
    const last = events.at(-1)!;
    assert.ok(last.type === "thread.item.done" && last.item.type === "widget");
    assert.deepEqual(last.item.widget, done);
  } finally {
    server.kill();
    if (server.exitCode === null) await once(server, "exit");
  }
});
