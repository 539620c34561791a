/**
 * Page latency of the shipped stores: `npx tsx bench/stores.ts [--quick]`.
 *
 * For each store (InMemory, SQLite file, Postgres at DATABASE_URL) it measures `loadThreadItems`
 * (limit 20, both orders, from the start and from a cursor in the middle) on threads of 1k and
 * 100k items, and `loadThreads` on 100k threads, and prints a markdown table of the median
 * (and p95) in milliseconds. `--quick` uses 1k / 10k items and 10k threads.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { InMemoryStore, type PageOrder, type Store, type ThreadItem, type ThreadMetadata } from "../src/index.js";
import { PostgresStore } from "../src/store/postgres/index.js";
import { SQLiteStore } from "../src/store/sqlite/index.js";

export interface StoreBenchOptions {
  /** Smaller data sets and fewer iterations; finishes in well under 30 s. */
  quick: boolean;
}

interface Sizes {
  items: number[];
  threads: number;
  iterations: number;
}

interface Measurement {
  label: string;
  median: number;
  p95: number;
}

interface Candidate {
  name: string;
  open(): Promise<{ store: Store<unknown>; batch?: (run: () => Promise<void>) => Promise<void>; close(): Promise<void> }>;
}

const EPOCH = Date.UTC(2025, 0, 1);
const PAGE = 20;

const thread = (id: string, i: number): ThreadMetadata => ({
  id,
  created_at: new Date(EPOCH + i).toISOString(),
  status: { type: "active" },
  metadata: {},
});

/** Item ids are unique across threads, as the stores require. */
const itemId = (threadId: string, i: number) => `msg_${threadId}_${i}`;

const item = (threadId: string, i: number): ThreadItem => ({
  type: "assistant_message",
  id: itemId(threadId, i),
  thread_id: threadId,
  created_at: new Date(EPOCH + i).toISOString(),
  content: [{ type: "output_text", text: `Message number ${i}, of a realistic-ish length for a chat turn.`, annotations: [] }],
});

/** Runs `count` tasks with at most `width` in flight (a pool-backed store gains from overlap). */
async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function measure(label: string, iterations: number, run: () => Promise<unknown>): Promise<Measurement> {
  for (let i = 0; i < Math.min(20, iterations); i++) await run(); // warm caches and plans
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    label,
    median: times[Math.floor(times.length / 2)]!,
    p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!,
  };
}

async function benchStore(candidate: Candidate, sizes: Sizes): Promise<Measurement[]> {
  const { store, batch = (run) => run(), close } = await candidate.open();
  const results: Measurement[] = [];
  try {
    for (const size of sizes.items) {
      const threadId = `thr_items_${size}`;
      await store.saveThread(thread(threadId, 0), undefined);
      await batch(() => inParallel(size, 16, (i) => store.addThreadItem(threadId, item(threadId, i), undefined)));
      const middle = itemId(threadId, Math.floor(size / 2));
      for (const order of ["asc", "desc"] as PageOrder[]) {
        for (const cursor of [undefined, middle]) {
          const label = `items page, ${fmt(size)} items, ${order}, ${cursor ? "cursor" : "no cursor"}`;
          results.push(
            await measure(label, sizes.iterations, async () => {
              const page = await store.loadThreadItems(threadId, cursor, PAGE, order, undefined);
              if (page.data.length !== PAGE) throw new Error(`${candidate.name}: short page in ${label}`);
            }),
          );
        }
      }
    }
    // The item threads above are part of the thread list too; they do not change its size class.
    await batch(() => inParallel(sizes.threads, 16, (i) => store.saveThread(thread(`thr_${i}`, i + 1), undefined)));
    const middle = `thr_${Math.floor(sizes.threads / 2)}`;
    for (const order of ["asc", "desc"] as PageOrder[]) {
      for (const cursor of [undefined, middle]) {
        const label = `threads page, ${fmt(sizes.threads)} threads, ${order}, ${cursor ? "cursor" : "no cursor"}`;
        results.push(
          await measure(label, sizes.iterations, async () => {
            const page = await store.loadThreads(PAGE, cursor, order, undefined);
            if (page.data.length !== PAGE) throw new Error(`${candidate.name}: short page in ${label}`);
          }),
        );
      }
    }
  } finally {
    await close();
  }
  return results;
}

const fmt = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
const ms = (value: number) => (value < 0.01 ? value.toFixed(4) : value < 1 ? value.toFixed(3) : value.toFixed(2));

function candidates(databaseUrl: string): Candidate[] {
  return [
    {
      name: "InMemory",
      open: async () => ({ store: new InMemoryStore(), close: async () => undefined }),
    },
    {
      name: "SQLite (file)",
      open: async () => {
        const dir = mkdtempSync(join(tmpdir(), "chatkit-bench-"));
        const store = new SQLiteStore({ path: join(dir, "bench.db") });
        return {
          store,
          // Seeding in one transaction (the store's calls run synchronously inside it): only the
          // setup gets faster, the measured reads are unaffected.
          batch: async (run) => {
            store.db.exec("BEGIN");
            try {
              await run();
              store.db.exec("COMMIT");
            } catch (error) {
              store.db.exec("ROLLBACK");
              throw error;
            }
          },
          close: async () => {
            store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: "Postgres",
      open: async () => {
        const schema = `chatkit_bench_${process.pid}_${randomBytes(4).toString("hex")}`;
        const pool = new pg.Pool({ connectionString: databaseUrl, max: 16 });
        const store = new PostgresStore({ pool, schema });
        await store.migrate();
        return {
          store,
          // Refresh planner statistics after seeding, as autovacuum does on a live database:
          // a table bulk-filled seconds ago has none, and plans made blind are not steady state.
          batch: async (run) => {
            await run();
            await pool.query(`ANALYZE "${schema}".chatkit_threads, "${schema}".chatkit_items`);
          },
          close: async () => {
            await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
            await store.close();
            await pool.end();
          },
        };
      },
    },
  ];
}

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs the store benchmark and returns its report as markdown. */
export async function runStoreBench(opts: StoreBenchOptions): Promise<string> {
  const sizes: Sizes = opts.quick
    ? { items: [1_000, 10_000], threads: 10_000, iterations: 50 }
    : { items: [1_000, 100_000], threads: 100_000, iterations: 200 };
  const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const notes: string[] = [];
  const columns: { name: string; results: Map<string, Measurement> | undefined }[] = [];
  const started = performance.now();
  for (const candidate of candidates(databaseUrl)) {
    if (candidate.name === "Postgres") {
      const problem = await reachable(databaseUrl);
      if (problem) {
        notes.push(`Postgres skipped: ${databaseUrl} unreachable (${problem}).`);
        columns.push({ name: candidate.name, results: undefined });
        continue;
      }
    }
    const results = await benchStore(candidate, sizes);
    columns.push({ name: candidate.name, results: new Map(results.map((m) => [m.label, m])) });
  }
  const labels = [...(columns.find((c) => c.results)?.results?.keys() ?? [])];
  const lines = [
    `### Store page latency (limit ${PAGE}; median ms, p95 in parentheses; ${sizes.iterations} runs each)`,
    "",
    opts.quick
      ? `Quick mode: threads of ${sizes.items.map(fmt).join(" / ")} items and ${fmt(sizes.threads)} threads (the full run uses 1k / 100k items and 100k threads).`
      : `Threads of ${sizes.items.map(fmt).join(" / ")} items, and ${fmt(sizes.threads)} threads.`,
    "",
    `| operation | ${columns.map((c) => c.name).join(" | ")} |`,
    `| --- | ${columns.map(() => "---:").join(" | ")} |`,
    ...labels.map((label) => {
      const cells = columns.map((c) => {
        const m = c.results?.get(label);
        return m ? `${ms(m.median)} (${ms(m.p95)})` : "n/a";
      });
      return `| ${label} | ${cells.join(" | ")} |`;
    }),
    "",
    `Node ${process.version}, ${process.platform}/${process.arch}; total ${((performance.now() - started) / 1000).toFixed(1)} s including seeding.`,
    ...notes.map((note) => `\n${note}`),
  ];
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStoreBench({ quick: process.argv.includes("--quick") }).then(
    (markdown) => console.log(markdown),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
