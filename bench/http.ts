import http from "node:http";
import { streamOnce } from "./support/client.js";
import { listen, type Adapter } from "./support/listen.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { fmt, int, median } from "./support/stats.js";

const DELTAS = 20_000;
/** What the script sends: its deltas and 4 framing events, plus stream_options, thread.created, the user message. */
const EVENTS = DELTAS + 7;

interface Figures {
  ttfb: number;
  total: number;
  bytes: number;
}

/** Median time to first byte and to the last byte of a 20k-delta stream over loopback. */
async function measure(adapter: Adapter, warmups: number, rounds: number): Promise<Figures> {
  const listening = await listen(adapter);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < warmups; i++) await streamOnce({ url: listening.url, agent, deltas: DELTAS });

    const total: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      const stats = await streamOnce({ url: listening.url, agent, deltas: DELTAS });
      if (stats.events !== EVENTS) throw new Error(`expected ${EVENTS} events, got ${stats.events}`);
      total.push(stats.total);
      bytes = stats.bytes;
    }
    // Server and client share this process: during a long stream the client only reads once the
    // server's socket buffer fills, so first-byte latency is measured on 10-delta streams.
    const firstByte: number[] = [];
    for (let i = 0; i < rounds * 10; i++) firstByte.push((await streamOnce({ url: listening.url, agent, deltas: 10 })).ttfb);
    return { ttfb: median(firstByte), total: median(total), bytes };
  } finally {
    agent.destroy();
    await listening.close();
  }
}

export async function run({ quick }: RunOptions): Promise<Section> {
  const warmups = quick ? 2 : 5;
  const rounds = quick ? 3 : 9;
  const rows: string[][] = [];
  const labels = {
    bare: "bare node:http SSE, no SDK (baseline)",
    node: "`toNodeHandler` (node:http)",
    fetch: "`toFetchHandler` (@hono/node-server)",
  } as const;
  for (const adapter of ["bare", "node", "fetch"] as const) {
    const f = await measure(adapter, warmups, rounds);
    rows.push([
      labels[adapter],
      fmt(f.ttfb),
      fmt(f.total),
      int((EVENTS / f.total) * 1000),
      fmt((f.bytes / 1024 / 1024 / f.total) * 1000, 1),
    ]);
  }
  return {
    title: "2. Over HTTP (loopback, one stream at a time)",
    columns: ["adapter", "median TTFB ms", "median ms / stream", "events/s", "MB/s"],
    rows,
    notes: [
      `One ${DELTAS.toLocaleString("en-US")}-delta \`threads.create\` stream at a time on 127.0.0.1, server and client in this process; the client is node:http with a keep-alive agent. ${warmups} warm-ups, median of ${rounds}.`,
      "TTFB is request sent → first body byte, median over 10-delta streams (headers are flushed before the first event, so it covers parsing, the thread and user-message writes, and `stream_options`). It is not taken on the 20k stream: with client and server in one process, the client reads only when the server yields to the event loop, i.e. once the socket buffer is full.",
      "The baseline streams the same script through node:http with no SDK (read and parse the body, then JSON + frame + write per event; bench/support/listen.ts). No target was set for this section; it shows what the SDK and each adapter add to it.",
    ],
  };
}

await runAlone(import.meta.url, run);
