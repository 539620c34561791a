/**
 * The demo's `/` page in headless Chromium with OpenAI's CDN unreachable: instead of a blank
 * panel, it says prominently that the ChatKit UI could not be loaded and why, with a link to the
 * offline playground. Skipped without /usr/bin/chromium, except on CI.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startDemo, type RunningDemo } from "../../examples/demo/demo-server.js";
import { offlineResponder } from "../../examples/demo/offline-responder.js";
import { MemoryLogger } from "../support/helpers.js";
import { launchChromium, skipWithoutChromium } from "./chromium.js";

const CDN = "https://cdn.platform.openai.com/**";

describe("demo / page without the ChatKit CDN", { skip: skipWithoutChromium, timeout: 60_000 }, () => {
  let browser: Browser;
  let demo: RunningDemo;
  let dataDir: string;
  let page: Page;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-index-"));
    demo = await startDemo({ port: 0, dataDir, responder: offlineResponder({ wordDelayMs: 0, taskDelayMs: 0 }), logger: new MemoryLogger() });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const fresh = async () => {
    await page?.close();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
  };
  const panel = () => page.locator("#chatkit-unavailable");

  test("a blocked script: the page says so at once, with the reason and a link to /playground", async () => {
    await fresh();
    await page.route(CDN, (route) => route.abort("internetdisconnected"));
    await page.goto(`${demo.url}/`);
    await page.waitForSelector('body[data-chatkit="unavailable"]');
    assert.equal(await panel().isVisible(), true);
    assert.equal(await panel().getAttribute("role"), "alert");
    assert.equal(await page.locator("#chatkit-unavailable h2").textContent(), "The ChatKit UI could not be loaded");
    assert.equal(await page.locator("#chatkit-reason").textContent(), "the script could not be downloaded");
    // Prominent: in the middle of the page, not a footnote.
    const box = (await panel().boundingBox())!;
    assert.ok(box.width >= 400 && box.y < 200, JSON.stringify(box));

    await page.click("#chatkit-playground-link");
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(new URL(page.url()).pathname, "/playground");
  });

  test("a script that never arrives: the page says so after 15 seconds (fake clock)", async () => {
    await fresh();
    await page.clock.install();
    await page.route(CDN, () => {}); // never answered
    await page.goto(`${demo.url}/`, { waitUntil: "domcontentloaded" });
    await page.clock.runFor(14_000);
    assert.equal(await panel().isVisible(), false);
    await page.clock.runFor(1_000);
    await page.waitForSelector('body[data-chatkit="unavailable"]');
    assert.equal(await page.locator("#chatkit-reason").textContent(), "it did not load within 15 seconds");
    assert.equal(await page.locator("#chatkit-playground-link").getAttribute("href"), "/playground");
  });
});
