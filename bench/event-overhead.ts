import { StreamingResult, type ThreadMetadata } from "../src/index.js";
import { assistantMessage } from "./support/script.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { BenchServer, createBody } from "./support/server.js";
import { fmt, int, median, settle } from "./support/stats.js";

const TARGET_RATIO = 1.25;
const encoder = new TextEncoder();
const thread: ThreadMetadata = { id: "thr_bench", created_at: new Date().toISOString(), status: { type: "active" }, metadata: {} };

/** The least any SSE server must do: pull each event, stringify, frame, encode. Returns bytes. */
async function bareMinimum(deltas: number): Promise<number> {
  let bytes = 0;
  for await (const event of assistantMessage(thread, { deltas })) {
    bytes += encoder.encode(`data: ${JSON.stringify(event)}\n\n`).byteLength;
  }
  return bytes;
}

/** The same events through `process()`: pipeline, InMemoryStore writes, SSE encoding. */
async function throughSdk(server: BenchServer, deltas: number): Promise<number> {
  const result = await server.process(createBody, { deltas });
  if (!(result instanceof StreamingResult)) throw new Error("expected a stream");
  let bytes = 0;
  for await (const chunk of result) bytes += chunk.byteLength;
  return bytes;
}

async function timed(body: () => Promise<number>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

/** Events in one run: the script's 20k deltas plus its 4 framing events. */
const eventsOf = (deltas: number) => deltas + 4;

export async function run({ quick }: RunOptions): Promise<Section> {
  const deltas = 20_000;
  const warmups = quick ? 5 : 20;
  const rounds = quick ? 5 : 15;
  const server = new BenchServer();
  for (let i = 0; i < warmups; i++) {
    await bareMinimum(deltas);
    await throughSdk(server, deltas);
  }
  const bare: number[] = [];
  const sdk: number[] = [];
  const ratios: number[] = [];
  // Interleaved, so drift (thermal, GC, neighbours) hits both sides alike.
  for (let i = 0; i < rounds; i++) {
    await settle();
    const b = await timed(() => bareMinimum(deltas));
    const s = await timed(() => throughSdk(server, deltas));
    bare.push(b);
    sdk.push(s);
    ratios.push(s / b);
  }
  const rate = (ms: number) => int((eventsOf(deltas) / ms) * 1000);
  const ratio = median(ratios);
  return {
    title: "1. Per-event overhead (in process, no HTTP)",
    columns: ["path", "median ms / 20k-delta message", "events/s", "ratio to bare minimum", "target"],
    rows: [
      ["bare minimum (iterate + JSON.stringify + SSE frame + UTF-8)", fmt(median(bare)), rate(median(bare)), "1.00", ""],
      ["`process()` + InMemoryStore → StreamingResult bytes", fmt(median(sdk)), rate(median(sdk)), fmt(ratio), `≤ ${TARGET_RATIO}`],
    ],
    notes: [
      `${warmups} warm-up pairs, then the median of ${rounds} interleaved pairs; the ratio is the median of per-pair ratios.`,
      `Both sides iterate the same async generator (bench/support/script.ts); the SDK side also creates the thread, stores the user message and the finished item.`,
      ratio <= TARGET_RATIO
        ? `Target met: ${fmt(ratio)}× ≤ ${TARGET_RATIO}× (${fmt(((TARGET_RATIO - ratio) / TARGET_RATIO) * 100, 0)}% headroom).`
        : `Target missed: ${fmt(ratio)}× > ${TARGET_RATIO}× (${fmt(((ratio - TARGET_RATIO) / TARGET_RATIO) * 100, 0)}% over).`,
    ],
  };
}

await runAlone(import.meta.url, run);
