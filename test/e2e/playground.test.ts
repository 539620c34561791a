/**
 * The playground page in headless Chromium against the demo server (offline responder): a
 * streamed answer, Stop with the partial answer kept across a reload, the history, retry, rename
 * and delete, an attached image (chip thumbnail, then in the message and the answer), and
 * screenshots for the docs. Skipped without /usr/bin/chromium, except on CI.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startDemo, type RunningDemo } from "../../examples/demo/demo-server.js";
import { offlineAnswer, offlineResponder } from "../../examples/demo/offline-responder.js";
import { MemoryLogger } from "../support/helpers.js";
import { launchChromium, skipWithoutChromium } from "./chromium.js";
import { PNG } from "../attachments/support.js";

const LAST_SENTENCE = "That is the end of this answer.";

const byTestId = (id: string) => `[data-testid="${id}"]`;

describe("playground in headless Chromium", { skip: skipWithoutChromium, timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  let demo: RunningDemo;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-playground-"));
    // 25 ms a word: paced like the real demo (Stop lands mid-answer) but quicker to wait out.
    demo = await startDemo({ port: 0, dataDir, responder: offlineResponder({ wordDelayMs: 25, taskDelayMs: 150 }), logger: new MemoryLogger() });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
    await openPlayground();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function openPlayground(hash = "") {
    await page.goto(`${demo.url}/playground${hash}`);
    await page.waitForSelector('body[data-ready="true"]');
  }

  const lastAssistantText = async () => (await page.locator(byTestId("message-assistant")).last().textContent()) ?? "";
  const threadIdInUrl = () => new URL(page.url()).hash.slice(1);
  const waitIdle = () => page.waitForSelector('body[data-streaming="false"]');
  /** Waits until the newest assistant message shows more than `length` characters (polled in the page). */
  const waitForAssistantLength = (length: number) =>
    page.waitForFunction(`([...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)?.textContent ?? "").length > ${length}`);

  async function send(text: string) {
    await page.fill(byTestId("composer-input"), text);
    await page.click(byTestId("send"));
  }

  /** The stored items of a thread, straight from the server. */
  async function storedItems(threadId: string): Promise<StoredItem[]> {
    const response = await fetch(`${demo.url}/chatkit`, { method: "POST", body: JSON.stringify({ type: "threads.get_by_id", params: { thread_id: threadId } }), headers: { "content-type": "application/json" } });
    return ((await response.json()) as { items: { data: StoredItem[] } }).items.data;
  }
  type StoredItem = { type: string; content?: Array<{ text: string }>; attachments?: Array<{ id: string; name: string; preview_url?: string }> };

  /** Waits until every image matching `selector` has loaded with real pixels. */
  const waitForImages = (selector: string) =>
    page.waitForFunction(`((images) => images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0))([...document.querySelectorAll(${JSON.stringify(selector)})])`);

  test("a message streams in: the answer grows, then completes with its workflow and widget", async () => {
    await send("Hello playground");
    await page.waitForSelector(`${byTestId("message-user")}:has-text("Hello playground")`);

    // Two snapshots while streaming: the text grows.
    await waitForAssistantLength(20);
    const first = await lastAssistantText();
    assert.equal(await page.getAttribute("body", "data-streaming"), "true");
    await waitForAssistantLength(first.length + 40);
    const second = await lastAssistantText();
    assert.ok(first.length > 0 && second.length > first.length, `${first.length} then ${second.length}`);

    await waitIdle();
    const final = await lastAssistantText();
    assert.ok(final.includes(LAST_SENTENCE), final);
    assert.ok(final.length > second.length);
    assert.equal(await page.textContent(byTestId("status")), "Done");

    // The workflow finished its three tasks; the widget shows its Title, Text and Button.
    assert.deepEqual(await page.locator(byTestId("workflow-task")).evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-status"))), ["complete", "complete", "complete"]);
    assert.equal(await page.getAttribute(byTestId("workflow"), "data-done"), "true");
    assert.equal(await page.textContent(byTestId("widget-title")), "Offline demo");
    assert.equal(await page.textContent(byTestId("widget-text")), 'Answered "Hello playground" without a model.');
    assert.equal(await page.textContent(byTestId("widget-button")), "Say hello");

    // The markdown was rendered, and the store holds exactly the streamed text.
    assert.equal(await page.locator(`${byTestId("message-assistant")} h2`).textContent(), "Offline demo answer");
    const items = await storedItems(threadIdInUrl());
    assert.deepEqual(items.map((item) => item.type), ["user_message", "workflow", "assistant_message", "widget"]);
    assert.equal(items[2]!.content![0]!.text, offlineAnswer("Hello playground"));

    // The inspector logged the stream, first events first.
    const logged = await page.locator(`${byTestId("log-entry")}[data-type="threads.create"] ${byTestId("log-event")}`).evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-event-type")));
    assert.deepEqual(logged.slice(0, 4), ["request", "thread.created", "thread.item.done", "stream_options"]);
    assert.equal(logged.at(-1), "thread.item.done");

    await page.locator(byTestId("messages")).evaluate((node) => (node.scrollTop = node.scrollHeight));
    // The README's screenshot is refreshed only on request, so test runs leave the tree clean.
    const files = ["test-artifacts/playground.png", ...(process.env.UPDATE_SCREENSHOTS ? ["docs/playground.png"] : [])];
    for (const file of files) {
      await mkdir(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
    }
  });

  test("Stop mid-answer keeps the partial answer across a reload, and the thread answers again", async () => {
    await page.click(byTestId("new-thread"));
    await send("Please stop me");
    await waitForAssistantLength(60);
    await page.click(byTestId("stop"));
    await waitIdle();
    assert.equal(await page.textContent(byTestId("status")), "Stopped");
    const threadId = threadIdInUrl();
    assert.match(threadId, /^thr_/);

    // The server stores the partial answer in its cancellation cleanup, just after the hang-up.
    let items = await storedItems(threadId);
    for (let attempt = 0; attempt < 100 && !items.some((item) => item.type === "assistant_message"); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      items = await storedItems(threadId);
    }
    const full = offlineAnswer("Please stop me");
    const partial = items.find((item) => item.type === "assistant_message")?.content?.[0]?.text ?? "";
    assert.ok(partial.length > 0 && partial.length < full.length && full.startsWith(partial), partial);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.locator(byTestId("message-assistant")).count(), 1);
    const shown = await lastAssistantText();
    assert.ok(shown.length > 0 && !shown.includes(LAST_SENTENCE), shown);
    assert.ok(shown.includes("Offline demo answer"));

    await send("Are you still there?");
    await page.waitForSelector(`${byTestId("message-user")}:has-text("Are you still there?")`);
    await waitIdle();
    assert.equal(await page.locator(byTestId("message-user")).count(), 2);
    assert.equal(await page.locator(byTestId("message-assistant")).count(), 2);
    assert.ok((await lastAssistantText()).includes(LAST_SENTENCE));
    assert.equal(await page.textContent(byTestId("status")), "Done");
  });

  test("the history lists both threads by title, newest first, and opens one", async () => {
    await openPlayground();
    const titles = await page.locator(byTestId("thread-item-title")).allTextContents();
    assert.deepEqual(titles, ["Please stop me", "Hello playground"]);
    await page.click(`${byTestId("thread-item")}:has-text("Hello playground") button`);
    await page.waitForSelector(`${byTestId("message-user")}:has-text("Hello playground")`);
    assert.equal(await page.inputValue(byTestId("thread-title")), "Hello playground");
    assert.ok((await lastAssistantText()).includes(LAST_SENTENCE));
    assert.equal(await page.locator(`${byTestId("thread-item")}.active`).textContent().then((text) => text?.startsWith("Hello playground")), true);

    // The widget's button sends threads.custom_action; the server answers with a message.
    await page.click(byTestId("widget-button"));
    await page.waitForSelector(`${byTestId("message-assistant")}:has-text("Hello from the widget button!")`);
    await waitIdle();
    assert.equal(await page.locator(`${byTestId("log-entry")}[data-type="threads.custom_action"]`).count(), 1);
  });

  test("retry answers the last message again; rename and delete change the history", async () => {
    const threadId = threadIdInUrl();
    // Before: the first answer plus the widget action's reply, which retry drops with the rest.
    assert.deepEqual((await storedItems(threadId)).map((item) => item.type), ["user_message", "workflow", "assistant_message", "widget", "assistant_message"]);
    await page.click(byTestId("retry"));
    await waitIdle();
    assert.equal(await page.locator(byTestId("message-assistant")).count(), 1);
    assert.ok((await lastAssistantText()).includes(LAST_SENTENCE));
    assert.deepEqual((await storedItems(threadId)).map((item) => item.type), ["user_message", "workflow", "assistant_message", "widget"]);
    assert.equal(await page.locator(`${byTestId("log-entry")}[data-type="threads.retry_after_item"]`).count(), 1);

    await page.fill(byTestId("thread-title"), "Renamed thread");
    await page.click(byTestId("rename"));
    await page.waitForSelector(`${byTestId("thread-item-title")}:has-text("Renamed thread")`);
    assert.deepEqual(await page.locator(byTestId("thread-item-title")).allTextContents(), ["Please stop me", "Renamed thread"]);

    await page.click(byTestId("delete"));
    await page.waitForFunction(`document.querySelectorAll('[data-testid="thread-item"]').length === 1`);
    assert.deepEqual(await page.locator(byTestId("thread-item-title")).allTextContents(), ["Please stop me"]);
    assert.equal(threadIdInUrl(), "");
    assert.equal(await page.locator(byTestId("message-user")).count(), 0);
  });

  test("an attached image: chip thumbnail, then in the sent message, and the answer names it; a refused file leaves no chip", async () => {
    await page.click(byTestId("new-thread"));
    const creates = await page.locator(`${byTestId("log-entry")}[data-type="attachments.create"]`).count();
    await page.setInputFiles(byTestId("attach"), { name: "photo.png", mimeType: "image/png", buffer: Buffer.from(PNG) });
    await page.waitForSelector(`${byTestId("attachment-chip")}[data-status="ready"]`);
    await waitForImages(`${byTestId("attachment-chip")} img`);
    assert.equal(await page.locator(byTestId("attachment-chip")).count(), 1);
    assert.equal(await page.textContent(byTestId("attachment-chip")), "photo.png×");
    // Both phases are in the inspector: attachments.create, then the upload itself.
    assert.equal(await page.locator(`${byTestId("log-entry")}[data-type="attachments.create"]`).count(), creates + 1);
    assert.equal(await page.getAttribute(`${byTestId("log-entry")}[data-type="upload"] >> nth=-1 >> ${byTestId("log-event")} >> nth=1`, "data-event-type"), "response");

    await send("What is in this picture?");
    await page.waitForSelector(`${byTestId("message-user")}:has-text("What is in this picture?") img${byTestId("message-attachment")}`);
    await waitForImages(`${byTestId("message-user")} img${byTestId("message-attachment")}`);
    assert.equal(await page.locator(byTestId("attachment-chip")).count(), 0, "sent attachments leave the composer");
    await waitIdle();
    assert.ok((await lastAssistantText()).includes("You attached: photo.png (image/png)."), await lastAssistantText());

    // The server stored the attachment with the message; the page shows its preview URL.
    const threadId = threadIdInUrl();
    const [user] = await storedItems(threadId);
    assert.equal(user?.type, "user_message");
    assert.deepEqual(user.attachments?.map((attachment) => attachment.name), ["photo.png"]);
    assert.equal(await page.getAttribute(`img${byTestId("message-attachment")}`, "src"), user.attachments![0]!.preview_url!);

    // After a reload, the image still loads from the stored message.
    await openPlayground(`#${threadId}`);
    await waitForImages(`${byTestId("message-user")} img${byTestId("message-attachment")}`);

    // A refused type shows the server's error and leaves no chip.
    await page.setInputFiles(byTestId("attach"), { name: "page.html", mimeType: "text/html", buffer: Buffer.from("<p>hi</p>") });
    await page.waitForSelector(`${byTestId("error")}:has-text("Could not attach page.html: Attachments of type text/html are not accepted")`);
    assert.equal(await page.locator(byTestId("attachment-chip")).count(), 0);
  });
});
