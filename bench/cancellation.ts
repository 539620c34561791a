import http from "node:http";
import { streamOnce } from "./support/client.js";
import { listen, type Adapter } from "./support/listen.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { fmt, percentile, sorted } from "./support/stats.js";

const CANCELLATIONS = 1_000;
/** Hang up after this many frames: the stream is running, the handler is awaiting its next delta. */
const HANG_UP_AFTER = 8;
/** The cancellation issue's goal for hang-up → turn.signal abort. */
const TARGET_P99_MS = 5;

/**
 * Hang-up → abort, `count` times: the client destroys its socket mid-stream and notes the time;
 * the server notes when its abort signal fires (`turn.signal` for the SDK). Same process, so both
 * clocks are one `performance.now()`; the figure includes the loopback FIN and the `close` handling.
 */
async function measure(adapter: Adapter, count: number): Promise<ReturnType<typeof sorted>> {
  const abortedAt: number[] = [];
  const listening = await listen(adapter, (context) => ({ ...context, onAbort: (at) => abortedAt.push(at) }));
  const agent = new http.Agent({ keepAlive: false });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count + 20; i++) {
      let destroyedAt = 0;
      const seen = abortedAt.length;
      await streamOnce({
        url: listening.url,
        agent,
        deltas: 1_000,
        paceMs: 2,
        onChunk: (events) => {
          if (events < HANG_UP_AFTER) return false;
          destroyedAt = performance.now();
          return true;
        },
      });
      // Bounded wait for the server to notice (2 s at most).
      for (let waited = 0; abortedAt.length === seen && waited < 2_000; waited += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (abortedAt.length === seen) throw new Error(`${adapter}: the abort never fired after a hang-up`);
      if (i >= 20) latencies.push(abortedAt[seen]! - destroyedAt); // the first 20 warm up
    }
  } finally {
    agent.destroy();
    await listening.close();
  }
  return sorted(latencies);
}

export async function run({ quick }: RunOptions): Promise<Section> {
  const count = quick ? 300 : CANCELLATIONS;
  const bare = await measure("bare", count);
  const sdk = await measure("node", count);
  const row = (label: string, s: ReturnType<typeof sorted>, target: string) => [
    label,
    String(count),
    fmt(percentile(s, 50), 3),
    fmt(percentile(s, 99), 3),
    fmt(s[s.length - 1]!, 3),
    target,
  ];
  const p99 = percentile(sdk, 99);
  return {
    title: "4. Cancellation latency (hang-up → turn.signal abort)",
    columns: ["server", "cancellations", "p50 ms", "p99 ms", "max ms", "target"],
    rows: [
      row("bare node:http, `res.on(\"close\")` → abort (baseline)", bare, ""),
      row("`toNodeHandler` → `turn.signal`", sdk, `p99 < ${TARGET_P99_MS} ms`),
    ],
    notes: [
      `${count} streams on 127.0.0.1 per row, one after another (after 20 warm-ups); each is a 1,000-delta stream paced at 2 ms, and the client destroys its socket after ${HANG_UP_AFTER} frames. Server and client share this process (one clock).`,
      "Latency = server's performance.now() in its abort listener − client's performance.now() just before `req.destroy()`. The SDK's abort fires in the same event-loop turn that sees the socket close, so it should match the baseline: the loopback FIN plus one poll.",
      p99 < TARGET_P99_MS
        ? `Target met: p99 ${fmt(p99, 3)} ms < ${TARGET_P99_MS} ms (the cancellation issue's goal).`
        : `Target missed: p99 ${fmt(p99, 3)} ms ≥ ${TARGET_P99_MS} ms (the cancellation issue's goal).`,
    ],
  };
}

await runAlone(import.meta.url, run);
