import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { streamOnce } from "./support/client.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { fmt, mb, percentile, sorted } from "./support/stats.js";

const STREAMS = 1_000;
const DELTAS = 200;
const PACE_MS = 10;
const TARGET_P99_MS = 20;

/** Sends `message` to the child and waits for its answer of type `reply`. */
function ask<T>(child: ChildProcess, message: object, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: { type: string }) => {
      if (answer.type !== reply) return;
      child.off("message", onMessage);
      resolve(answer as T);
    };
    child.on("message", onMessage);
    if (Object.keys(message).length > 0) child.send(message);
  });
}

export async function run({ quick }: RunOptions): Promise<Section> {
  const entry = fileURLToPath(new URL("./support/child-server.ts", import.meta.url));
  const child = fork(entry, [], { execArgv: ["--import", "tsx", "--expose-gc", ...(process.env.BENCH_CHILD_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`] : [])], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: STREAMS * 2, maxFreeSockets: STREAMS * 2 });
  try {
    const { url } = await ask<{ url: string }>(child, {}, "ready");
    // Warm-up: JIT the server's hot path and open the sockets the measured run reuses.
    const warm = STREAMS;
    await Promise.all(Array.from({ length: warm }, () => streamOnce({ url, agent, deltas: 20, paceMs: PACE_MS })));
    const { rss: idle } = await ask<{ rss: number }>(child, { type: "reset" }, "rss");

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: STREAMS }, () => streamOnce({ url, agent, deltas: DELTAS, paceMs: PACE_MS, gaps: true })),
    );
    const wall = performance.now() - started;
    const { rss: peak } = await ask<{ rss: number }>(child, { type: "rss" }, "rss");

    const incomplete = results.filter((r) => r.events !== DELTAS + 7).length;
    // The first gaps of a stream are the burst before the first delta; the deltas are paced.
    const gaps = sorted(results.flatMap((r) => r.gaps.slice(5)));
    const p50 = percentile(gaps, 50);
    const p99 = percentile(gaps, 99);
    const ttfb = sorted(results.map((r) => r.ttfb));
    const perStream = (peak - idle) / STREAMS;
    return {
      title: "3. Concurrency (1,000 paced streams, server in a child process)",
      columns: ["streams", "gap p50 ms", "gap p99 ms", "gap max ms", "TTFB p99 ms", "wall s", "peak RSS MB", "RSS / stream KB", "target"],
      rows: [
        [
          String(STREAMS),
          fmt(p50),
          fmt(p99),
          fmt(gaps[gaps.length - 1]!),
          fmt(percentile(ttfb, 99)),
          fmt(wall / 1000),
          mb(peak),
          fmt((perStream / 1024), 1),
          `p99 < ${TARGET_P99_MS} ms`,
        ],
      ],
      notes: [
        `${STREAMS} concurrent \`threads.create\` streams of ${DELTAS} deltas paced at ${PACE_MS} ms (ideal gap ${PACE_MS} ms), started at once. Server: \`toNodeHandler\` + InMemoryStore in a child process (\`bench/support/child-server.ts\`); clients: node:http in the parent, one keep-alive agent with maxSockets ${STREAMS * 2}, sockets opened by a ${warm}-stream warm-up.`,
        "Gap = time between consecutive SSE frames as the client receives them, over the paced deltas (the burst of framing events before the first delta is left out). Both processes share the 2 cores, so the clients' parsing competes with the server.",
        `Peak RSS of the server process (sampled every 20 ms); per stream = (peak − idle after warm-up and GC) / ${STREAMS}. The in-memory store keeps every thread, so this includes the stored threads and items.`,
        incomplete > 0 ? `${incomplete} streams ended early.` : "All streams completed with every event.",
        p99 < TARGET_P99_MS
          ? `Target met: p99 ${fmt(p99)} ms < ${TARGET_P99_MS} ms (the ideal is ${PACE_MS} ms; ${fmt(p99 - PACE_MS)} ms of jitter).`
          : `Target missed: p99 ${fmt(p99)} ms ≥ ${TARGET_P99_MS} ms.`,
      ],
    };
  } finally {
    agent.destroy();
    child.send({ type: "exit" });
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

await runAlone(import.meta.url, run);
