import http from "node:http";
import { streamOnce } from "./support/client.js";
import { listen, type Adapter, type Listening } from "./support/listen.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { cpuMs, fmt, int, median } from "./support/stats.js";

const DELTAS = 20_000;
/** What the script sends: its deltas and 4 framing events, plus stream_options, thread.created, the user message. */
const EVENTS = DELTAS + 7;
/** `toFetchHandler`'s throughput as a share of the bare server's. */
const FETCH_TARGET = 0.85;

const ADAPTERS = ["bare", "node", "fetch", "readable"] as const;
const LABELS: Record<Adapter, string> = {
  bare: "bare node:http SSE, no SDK (baseline)",
  node: "`toNodeHandler` (node:http)",
  fetch: "`toFetchHandler` (@hono/node-server)",
  readable: "`new Response(result.toReadableStream())` (@hono/node-server)",
};
const MEASURED = ["node", "fetch", "readable"] as const;

interface Mounted {
  listening: Listening;
  agent: http.Agent;
}

/** One 20k-delta stream: wall ms, CPU ms of this process (server and client), bytes. */
async function oneStream({ listening, agent }: Mounted): Promise<{ wall: number; cpu: number; bytes: number }> {
  const startCpu = cpuMs();
  const stats = await streamOnce({ url: listening.url, agent, deltas: DELTAS });
  if (stats.events !== EVENTS) throw new Error(`expected ${EVENTS} events, got ${stats.events}`);
  return { wall: stats.total, cpu: cpuMs() - startCpu, bytes: stats.bytes };
}

export async function run({ quick }: RunOptions): Promise<Section> {
  const warmups = quick ? 3 : 5;
  const rounds = quick ? 7 : 21;
  const mounted = {} as Record<Adapter, Mounted>;
  for (const adapter of ADAPTERS) {
    mounted[adapter] = { listening: await listen(adapter), agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  }
  const perAdapter = () => Object.fromEntries(ADAPTERS.map((adapter) => [adapter, [] as number[]])) as Record<Adapter, number[]>;
  const [wall, cpu, firstByte] = [perAdapter(), perAdapter(), perAdapter()];
  /** Per round, throughput as a share of the bare server's = bare time / adapter time. */
  const share = Object.fromEntries(MEASURED.map((adapter) => [adapter, { wall: [] as number[], cpu: [] as number[] }])) as Record<
    (typeof MEASURED)[number],
    { wall: number[]; cpu: number[] }
  >;
  let bytes = 0;
  try {
    for (let i = 0; i < warmups; i++) for (const adapter of ADAPTERS) await oneStream(mounted[adapter]);
    // Interleaved, so drift (thermal, GC, neighbours) hits each server alike.
    for (let i = 0; i < rounds; i++) {
      const round = {} as Record<Adapter, { wall: number; cpu: number }>;
      for (const adapter of ADAPTERS) {
        const stream = await oneStream(mounted[adapter]);
        round[adapter] = stream;
        wall[adapter].push(stream.wall);
        cpu[adapter].push(stream.cpu);
        bytes = stream.bytes;
      }
      for (const adapter of MEASURED) {
        share[adapter].wall.push(round.bare.wall / round[adapter].wall);
        share[adapter].cpu.push(round.bare.cpu / round[adapter].cpu);
      }
    }
    // Server and client share this process: during a long stream the client only reads once the
    // server's socket buffer fills, so first-byte latency is measured on 10-delta streams.
    for (let i = 0; i < rounds * 5; i++) {
      for (const adapter of ADAPTERS) {
        const { listening, agent } = mounted[adapter];
        firstByte[adapter].push((await streamOnce({ url: listening.url, agent, deltas: 10 })).ttfb);
      }
    }
  } finally {
    for (const adapter of ADAPTERS) {
      mounted[adapter].agent.destroy();
      await mounted[adapter].listening.close();
    }
  }
  const fetchShare = median(share.fetch.wall);
  return {
    title: "2. Over HTTP (loopback, one stream at a time)",
    columns: ["adapter", "median TTFB ms", "median ms / stream", "median CPU ms / stream", "events/s", "MB/s", "throughput / bare server", "target"],
    rows: ADAPTERS.map((adapter) => {
      const ms = median(wall[adapter]);
      return [
        LABELS[adapter],
        fmt(median(firstByte[adapter])),
        fmt(ms),
        fmt(median(cpu[adapter])),
        int((EVENTS / ms) * 1000),
        fmt((bytes / 1024 / 1024 / ms) * 1000, 1),
        adapter === "bare" ? "1.00" : `${fmt(median(share[adapter].wall))} (CPU ${fmt(median(share[adapter].cpu))})`,
        adapter === "fetch" ? `≥ ${FETCH_TARGET}` : "",
      ];
    }),
    notes: [
      `One ${DELTAS.toLocaleString("en-US")}-delta \`threads.create\` stream at a time on 127.0.0.1, server and client in this process; the client is node:http with a keep-alive agent. ${warmups} warm-up rounds, then ${rounds} interleaved rounds (one stream per server each); medians, and the median of per-round throughput shares (bare time / adapter time, by wall and by process CPU time).`,
      "TTFB is request sent → first body byte, median over 10-delta streams (headers are flushed before the first event, so it covers parsing, the thread and user-message writes, and `stream_options`). It is not taken on the 20k stream: with client and server in one process, the client reads only when the server yields to the event loop, i.e. once the socket buffer is full.",
      "The baseline streams the same script through node:http with no SDK (read and parse the body, then JSON + frame + write per event; bench/support/listen.ts). The last row is a fetch handler written on `process()` that answers with `result.toReadableStream()`, which hands a busy writer the frames produced meanwhile as one chunk; `toFetchHandler` builds its own stream, one frame per chunk.",
      fetchShare >= FETCH_TARGET
        ? `\`toFetchHandler\`: ${fmt(fetchShare)}× the bare server's throughput, target ≥ ${FETCH_TARGET}×: met, ${fmt(((fetchShare - FETCH_TARGET) / FETCH_TARGET) * 100, 0)}% headroom.`
        : `\`toFetchHandler\`: ${fmt(fetchShare)}× the bare server's throughput, target ≥ ${FETCH_TARGET}×: missed by ${fmt(((FETCH_TARGET - fetchShare) / FETCH_TARGET) * 100, 0)}%.`,
    ],
  };
}

await runAlone(import.meta.url, run);
