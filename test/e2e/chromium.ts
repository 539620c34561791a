/** Debian's Chromium for the browser tests (playwright-core cannot download a browser here). */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM);

/** The `skip` of a browser suite: skipped without Chromium, except on CI (where that is a broken setup). */
export const skipWithoutChromium =
  missing && process.env.CI !== "true" ? `Chromium not found at ${CHROMIUM} (apt-get install -y chromium); skipping the browser tests` : false;

/** Launches headless Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (missing) throw new Error(`Chromium not found at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
