/**
 * The per-event bench (event-overhead.ts) on each runtime the package supports, from the pinned
 * binaries `npm run runtimes` fetches: one child process per runtime, side by side in one table.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { binaryPath, isInstalled, platformSupported, repoRoot, RUNTIMES, type Runtime } from "../test/runtimes/runtimes.js";
import { distance, type Figures } from "./event-overhead.js";
import { runAlone, type RunOptions, type Section } from "./support/section.js";
import { fmt, median } from "./support/stats.js";

const run = promisify(execFile);
const bench = fileURLToPath(new URL("./event-overhead.ts", import.meta.url));

/** How each runtime runs the TypeScript bench: Node through tsx, Bun natively, Deno resolving `.js` to `.ts`. */
function argsOf(runtime: Runtime, quick: boolean): string[] {
  const flags = ["--json", ...(quick ? ["--quick"] : [])];
  switch (runtime.kind) {
    case "node":
      return ["--import", "tsx", bench, ...flags];
    case "bun":
      return [bench, ...flags];
    case "deno":
      return ["run", "--allow-all", "--unstable-sloppy-imports", bench, ...flags];
    case "workerd":
      throw new Error("workerd has no process to time");
  }
}

export async function runOn(runtime: Runtime, options: RunOptions): Promise<Figures> {
  const { stdout } = await run(binaryPath(runtime), argsOf(runtime, options.quick), { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Figures;
}

export async function runRuntimes(options: RunOptions): Promise<Section> {
  const rows: string[][] = [];
  const missing: string[] = [];
  for (const runtime of RUNTIMES.filter((candidate) => candidate.kind !== "workerd")) {
    if (!platformSupported || !(await isInstalled(runtime))) {
      missing.push(runtime.id);
      continue;
    }
    const figures = await runOn(runtime, options);
    const ms = (values: number[]) => fmt(median(values));
    const bytes = median(figures.bytesRatio.wall);
    rows.push([
      figures.runtime,
      ms(figures.wall.bareBuffer),
      ms(figures.wall.bareTextEncoder),
      ms(figures.wall.sdkBytes),
      ms(figures.wall.sdkText),
      `${fmt(bytes)} (CPU ${fmt(median(figures.bytesRatio.cpu))})`,
      `${fmt(median(figures.textRatio.wall))} (CPU ${fmt(median(figures.textRatio.cpu))})`,
      distance(bytes),
    ]);
  }
  return {
    title: "1b. Per-event overhead on each runtime",
    columns: [
      "runtime",
      "bare `Buffer.from` ms",
      "bare `TextEncoder` ms",
      "SDK bytes ms",
      "SDK text ms",
      "bytes / bare minimum",
      "text / bare minimum",
      "bytes path ≤ 1.25×",
    ],
    rows,
    notes: [
      "Section 1 run by each runtime in its own process (bench/event-overhead.ts `--json`): medians of the 20k-delta message in ms; ratios to the faster of the two bare minimums of the same round, by wall time (and CPU time).",
      "Binaries: the pinned npm packages of test/runtimes/runtimes.ts (`npm run runtimes`).",
      ...(missing.length > 0 ? [`Not run (not fetched, or another platform): ${missing.join(", ")}.`] : []),
    ],
  };
}

await runAlone(import.meta.url, runRuntimes);
