/**
 * Runs every benchmark and prints one Markdown report (the body of bench/RESULTS.md).
 * `npm run bench -- --quick` for a short run. Each benchmark also runs alone: `tsx bench/http.ts`.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { run as aiBridge } from "./ai-bridge.js";
import { run as cancellation } from "./cancellation.js";
import { run as concurrency } from "./concurrency.js";
import { run as eventOverhead } from "./event-overhead.js";
import { run as overHttp } from "./http.js";
import { runRuntimes } from "./runtimes.js";
import { renderSection, type RunOptions } from "./support/section.js";

const options: RunOptions = { quick: process.argv.includes("--quick") };
const started = performance.now();
const cpus = os.cpus();
const out: string[] = [
  `# Benchmarks${options.quick ? " (quick run)" : ""}`,
  "",
  `Machine: ${cpus[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
  "",
];

for (const bench of [eventOverhead, runRuntimes, overHttp, concurrency, cancellation, aiBridge]) {
  out.push(renderSection(await bench(options)));
}

// The store benchmark is written separately; include it when present.
const stores = fileURLToPath(new URL("./stores.ts", import.meta.url));
if (existsSync(stores)) {
  const module = (await import("./stores.js" as string)) as { runStoreBench?: (o: RunOptions) => Promise<string> };
  if (module.runStoreBench) out.push(await module.runStoreBench(options));
}

out.push(`Total run time: ${((performance.now() - started) / 1000).toFixed(1)} s.`);
console.log(out.join("\n"));
