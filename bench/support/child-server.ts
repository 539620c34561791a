/**
 * A bench server in its own process (the concurrency bench's clients stay out of its event
 * loop). Tells its parent the URL, then answers `rss` messages with its peak RSS since the last
 * `reset` (sampled every 20 ms, so a short peak may be missed by at most that much).
 */
import { listen, type Adapter } from "./listen.js";

const listening = await listen((process.argv[2] as Adapter | undefined) ?? "node");
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

process.on("message", (message: { type: string }) => {
  if (message.type === "reset") {
    (globalThis as { gc?: () => void }).gc?.();
    peak = process.memoryUsage.rss();
    process.send!({ type: "rss", rss: peak });
  } else if (message.type === "rss") {
    process.send!({ type: "rss", rss: Math.max(peak, process.memoryUsage.rss()) });
  } else if (message.type === "exit") {
    clearInterval(sampler);
    void listening.close().then(() => process.exit(0));
  }
});
process.send!({ type: "ready", url: listening.url });
