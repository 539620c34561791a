import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { streamOnce } from "./support/client.js";
import type { Adapter } from "./support/listen.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { fmt, mb, percentile, sorted } from "./support/stats.js";

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1_000);
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

interface Figures {
  p50: number;
  p99: number;
  max: number;
  ttfbP99: number;
  wall: number;
  peak: number;
  perStream: number;
  incomplete: number;
}

/** 1,000 paced streams against a server of `adapter` in a child process. */
async function measure(adapter: Adapter): Promise<Figures> {
  const entry = fileURLToPath(new URL("./support/child-server.ts", import.meta.url));
  const profile = process.env.BENCH_CHILD_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`] : [];
  const child = fork(entry, [adapter], {
    execArgv: ["--import", "tsx", "--expose-gc", ...profile],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: STREAMS * 2, maxFreeSockets: STREAMS * 2 });
  try {
    const { url } = await ask<{ url: string }>(child, {}, "ready");
    // Warm-up: JIT the server's hot path and open the sockets the measured run reuses.
    await Promise.all(Array.from({ length: STREAMS }, () => streamOnce({ url, agent, deltas: 20, paceMs: PACE_MS })));
    const { rss: idle } = await ask<{ rss: number }>(child, { type: "reset" }, "rss");

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: STREAMS }, () => streamOnce({ url, agent, deltas: DELTAS, paceMs: PACE_MS, gaps: true })),
    );
    const wall = performance.now() - started;
    const { rss: peak } = await ask<{ rss: number }>(child, { type: "rss" }, "rss");
    // The first gaps of a stream are the burst before the first delta; the deltas are paced.
    const gaps = sorted(results.flatMap((r) => r.gaps.slice(5)));
    return {
      p50: percentile(gaps, 50),
      p99: percentile(gaps, 99),
      max: gaps[gaps.length - 1]!,
      ttfbP99: percentile(sorted(results.map((r) => r.ttfb)), 99),
      wall,
      peak,
      perStream: (peak - idle) / STREAMS,
      incomplete: results.filter((r) => r.events !== DELTAS + 7).length,
    };
  } finally {
    agent.destroy();
    child.send({ type: "exit" });
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

export async function run(_options: RunOptions): Promise<Section> {
  const bare = await measure("bare");
  const sdk = await measure("node");
  const row = (label: string, f: Figures, target: string) => [
    label,
    fmt(f.p50),
    fmt(f.p99),
    fmt(f.max),
    fmt(f.ttfbP99),
    fmt(f.wall / 1000),
    mb(f.peak),
    fmt(f.perStream / 1024, 1),
    target,
  ];
  const incomplete = bare.incomplete + sdk.incomplete;
  return {
    title: `3. Concurrency (${STREAMS.toLocaleString("en-US")} paced streams, server in a child process)`,
    columns: ["server", "gap p50 ms", "gap p99 ms", "gap max ms", "TTFB p99 ms", "wall s", "peak RSS MB", "RSS / stream KB", "target"],
    rows: [
      row("bare node:http SSE, no SDK (baseline)", bare, ""),
      row("`process()` + `toNodeHandler` + InMemoryStore", sdk, `p99 < ${TARGET_P99_MS} ms`),
    ],
    notes: [
      `${STREAMS} concurrent \`threads.create\` streams of ${DELTAS} deltas paced at ${PACE_MS} ms (ideal gap ${PACE_MS} ms, ${((STREAMS * 1000) / PACE_MS).toLocaleString("en-US")} events/s in all), started at once. Each server runs alone in a child process (\`bench/support/child-server.ts\`); clients: node:http in the parent, one keep-alive agent, sockets opened by a ${STREAMS}-stream warm-up. The baseline streams the same script with no SDK (\`bareStream\` in bench/support/listen.ts).`,
      "Gap = time between consecutive SSE frames as the client receives them, over the paced deltas (the burst of framing events before the first delta is left out). Both processes share the 2 cores, so the clients' parsing competes with the server.",
      `Peak RSS of the server process (sampled every 20 ms); per stream = (peak − idle after warm-up and GC) / ${STREAMS}. The in-memory store keeps every thread, so the SDK row includes the stored threads and items.`,
      incomplete > 0 ? `${incomplete} streams ended early.` : "All streams completed with every event.",
      sdk.p99 < TARGET_P99_MS
        ? `Target met: p99 ${fmt(sdk.p99)} ms < ${TARGET_P99_MS} ms.`
        : `Target missed: p99 ${fmt(sdk.p99)} ms ≥ ${TARGET_P99_MS} ms (${fmt(sdk.p99 / TARGET_P99_MS, 1)}× the target); the baseline with no SDK reaches p99 ${fmt(bare.p99)} ms on the same machine.`,
    ],
  };
}

await runAlone(import.meta.url, run);
