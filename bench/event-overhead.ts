import { StreamingResult, type ThreadMetadata } from "../src/index.js";
import { assistantMessage } from "./support/script.js";
import { isEntryPoint, runAlone, type RunOptions, type Section } from "./support/section.js";
import { BenchServer, createBody } from "./support/server.js";
import { cpuMs, fmt, int, median, settle } from "./support/stats.js";

const TARGET_RATIO = 1.25;
const DELTAS = 20_000;
const thread: ThreadMetadata = { id: "thr_bench", created_at: new Date().toISOString(), status: { type: "active" }, metadata: {} };

const encoder = new TextEncoder();
const encodeWithTextEncoder = (text: string) => encoder.encode(text);
/** Node's Buffer (Bun's and Deno's too), reached as a global so the bench runs on each of them. */
const NativeBuffer = (globalThis as { Buffer?: { from(text: string): Uint8Array } }).Buffer;
const encodeWithBuffer = NativeBuffer ? (text: string) => NativeBuffer.from(text) : encodeWithTextEncoder;

/** The least any SSE server must do: pull each event, stringify, frame, encode. Returns bytes. */
async function bareMinimum(encode: (text: string) => Uint8Array): Promise<number> {
  let bytes = 0;
  for await (const event of assistantMessage(thread, { deltas: DELTAS })) {
    bytes += encode(`data: ${JSON.stringify(event)}\n\n`).byteLength;
  }
  return bytes;
}

/** The bare minimum behind a `ReadableStream` read to the end: what any stream body pays on top. */
async function bareReadable(): Promise<number> {
  const events = assistantMessage(thread, { deltas: DELTAS });
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await events.next();
        if (next.done) controller.close();
        else controller.enqueue(encodeWithBuffer(`data: ${JSON.stringify(next.value)}\n\n`));
      },
    },
    { highWaterMark: 0 },
  );
  const reader = stream.getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.byteLength;
  return bytes;
}

/** The same events through `process()`: pipeline, InMemoryStore writes, SSE framing. */
async function turnOf(server: BenchServer): Promise<StreamingResult> {
  const result = await server.process(createBody, { deltas: DELTAS });
  if (!(result instanceof StreamingResult)) throw new Error("expected a stream");
  return result;
}

/** The turn's frames as bytes, one per read. */
async function sdkBytes(server: BenchServer): Promise<number> {
  const result = await turnOf(server);
  let bytes = 0;
  for await (const chunk of result) bytes += chunk.byteLength;
  return bytes;
}

/** The same bytes through `toReadableStream()`, read by a plain reader loop. */
async function sdkReadable(server: BenchServer): Promise<number> {
  const reader = (await turnOf(server)).toReadableStream().getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.byteLength;
  return bytes;
}

/** The same as text frames, which the node adapter hands to `res.write` (encoded in C++ there). */
async function sdkText(server: BenchServer): Promise<number> {
  const frames = (await turnOf(server)).textFrames();
  let length = 0;
  for (let next = await frames.next(); !next.done; next = await frames.next()) length += next.value.length;
  return length;
}

type PathName = "bareBuffer" | "bareTextEncoder" | "bareReadable" | "sdkBytes" | "sdkReadable" | "sdkText";

/** Per path, the wall and CPU milliseconds of each measured run, plus the per-round ratios. */
export interface Figures {
  runtime: string;
  rounds: number;
  wall: Record<PathName, number[]>;
  cpu: Record<PathName, number[]>;
  /** Per round: `sdkBytes` / the faster bare minimum of the same round (wall, then CPU); `sdkReadable` / `bareReadable`. */
  bytesRatio: { wall: number[]; cpu: number[] };
  readableRatio: { wall: number[]; cpu: number[] };
  textRatio: { wall: number[]; cpu: number[] };
}

function runtimeName(): string {
  const globals = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (globals.Bun) return `Bun ${globals.Bun.version}`;
  if (globals.Deno) return `Deno ${globals.Deno.version.deno}`;
  return `Node ${process.version}`;
}

/** Interleaved rounds of every path, so drift (thermal, GC, neighbours) hits each alike. */
export async function measure({ quick }: RunOptions): Promise<Figures> {
  const warmups = quick ? 5 : 20;
  const rounds = quick ? 7 : 21;
  const server = new BenchServer();
  const paths: Record<PathName, () => Promise<number>> = {
    bareBuffer: () => bareMinimum(encodeWithBuffer),
    bareTextEncoder: () => bareMinimum(encodeWithTextEncoder),
    bareReadable: () => bareReadable(),
    sdkBytes: () => sdkBytes(server),
    sdkReadable: () => sdkReadable(server),
    sdkText: () => sdkText(server),
  };
  const names = Object.keys(paths) as PathName[];
  const empty = () => Object.fromEntries(names.map((name) => [name, [] as number[]])) as unknown as Record<PathName, number[]>;
  const figures: Figures = { runtime: runtimeName(), rounds, wall: empty(), cpu: empty(), bytesRatio: { wall: [], cpu: [] }, readableRatio: { wall: [], cpu: [] }, textRatio: { wall: [], cpu: [] } };
  for (let i = 0; i < warmups; i++) for (const name of names) await paths[name]();
  for (let i = 0; i < rounds; i++) {
    await settle();
    const wall = {} as Record<PathName, number>;
    const cpu = {} as Record<PathName, number>;
    for (const name of names) {
      const [startWall, startCpu] = [performance.now(), cpuMs()];
      await paths[name]();
      [wall[name], cpu[name]] = [performance.now() - startWall, cpuMs() - startCpu];
      figures.wall[name].push(wall[name]);
      figures.cpu[name].push(cpu[name]);
    }
    const bareWall = Math.min(wall.bareBuffer, wall.bareTextEncoder);
    const bareCpu = Math.min(cpu.bareBuffer, cpu.bareTextEncoder);
    figures.bytesRatio.wall.push(wall.sdkBytes / bareWall);
    figures.bytesRatio.cpu.push(cpu.sdkBytes / bareCpu);
    figures.readableRatio.wall.push(wall.sdkReadable / wall.bareReadable);
    figures.readableRatio.cpu.push(cpu.sdkReadable / cpu.bareReadable);
    figures.textRatio.wall.push(wall.sdkText / bareWall);
    figures.textRatio.cpu.push(cpu.sdkText / bareCpu);
  }
  return figures;
}

/** Events in one run: the script's 20k deltas plus its 4 framing events. */
const rate = (ms: number) => int(((DELTAS + 4) / ms) * 1000);

export function distance(ratio: number): string {
  return ratio <= TARGET_RATIO
    ? `met, ${fmt(((TARGET_RATIO - ratio) / TARGET_RATIO) * 100, 0)}% headroom`
    : `missed, ${fmt(((ratio - TARGET_RATIO) / TARGET_RATIO) * 100, 0)}% over`;
}

export function render(figures: Figures): Section {
  const row = (label: string, name: PathName, ratio?: { wall: number[]; cpu: number[] }, target = "") => {
    const wall = median(figures.wall[name]);
    return [label, fmt(wall), fmt(median(figures.cpu[name])), rate(wall), ratio ? `${fmt(median(ratio.wall))} (CPU ${fmt(median(ratio.cpu))})` : "", target];
  };
  const bytes = median(figures.bytesRatio.wall);
  return {
    title: `1. Per-event overhead (in process, no HTTP), ${figures.runtime}`,
    columns: ["path", "median ms / 20k-delta message", "median CPU ms", "events/s", "ratio to bare minimum", "target"],
    rows: [
      row("bare minimum, `Buffer.from` (iterate + JSON.stringify + SSE frame + UTF-8)", "bareBuffer"),
      row("bare minimum, `TextEncoder.encode`", "bareTextEncoder"),
      row("bare minimum behind a `ReadableStream` (`Buffer.from` where there is one)", "bareReadable"),
      row("`process()` + InMemoryStore → StreamingResult bytes (what `toFetchHandler` reads)", "sdkBytes", figures.bytesRatio, `≤ ${TARGET_RATIO}`),
      row("`process()` + InMemoryStore → `toReadableStream()`, read to the end (ratio to the bare `ReadableStream`)", "sdkReadable", figures.readableRatio),
      row("`process()` + InMemoryStore → text frames (`toNodeHandler`)", "sdkText", figures.textRatio),
    ],
    notes: [
      `${figures.rounds} interleaved rounds of the six paths after warm-ups; each ratio is the median of per-round ratios to the faster bare minimum of the same round (for the stream row, to the bare minimum behind a stream), by wall time and by process CPU time, which a busy machine disturbs less.`,
      "Both sides iterate the same async generator (bench/support/script.ts); the SDK side also creates the thread, stores the user message and the finished item.",
      `Bytes path: ${fmt(bytes)}× the bare minimum, target ≤ ${TARGET_RATIO}×: ${distance(bytes)}.`,
    ],
  };
}

export async function run(options: RunOptions): Promise<Section> {
  return render(await measure(options));
}

// `--json`: the figures, for bench/runtimes.ts, which runs this file on each runtime.
if (isEntryPoint(import.meta.url) && process.argv.includes("--json")) {
  console.log(JSON.stringify(await measure({ quick: process.argv.includes("--quick") })));
} else {
  await runAlone(import.meta.url, run);
}
