/**
 * The root entry on every runtime it promises: Node 20/22/24, Bun, Deno and Cloudflare's workerd
 * (without `nodejs_compat`). Each runs scenario.ts against the built package (dist/, reached
 * through the package's own exports from a temporary app) and prints the checks it passed.
 *
 * It needs `npm run build` and `npm run runtimes` (see runtimes.ts) first. Without them each test
 * is skipped, saying which is missing, so a fresh clone's `npm test` passes; under CI they fail.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import { build, transform } from "esbuild";
import { linkPackages, type PackageManifest } from "../package/packed.js";
import { binaryPath, isInstalled, platformSupported, repoRoot, RUNTIME_PLATFORM, RUNTIMES, type Runtime } from "./runtimes.js";

/** Every check scenario.ts makes, in order: a runtime passes when it reports all of them. */
const CHECKS = [
  "threads.create streams the exact events",
  "a Stop that cancels the body ends the stream after the events already sent",
  "the Stop stores the partial answer and the cancel note",
  "items.list hides the cancel note from the client",
  "a Stop that aborts the request ends the stream after the events already sent",
  "the next turn's respond sees both partial answers and cancel notes",
];

/** Until the root entry imports no `node:` module and no Node-only package. */
const NOT_WEB_STANDARD = "root not yet Web-standard";

/** A runtime that hangs is stopped after this long (a passing run takes about a second). */
const RUN_TIMEOUT_MS = 60_000;

/** The scenario as a Node/Bun/Deno program: imports the package by name, prints one JSON line. */
const ENTRY = `
import * as chatkit from "chatkit-server";
import { scenario } from "./scenario.mjs";
console.log(JSON.stringify({ checks: await scenario(chatkit) }));
`;

/** The scenario as a Worker: `workerd test` runs its `test` handler and fails when it throws. */
const WORKER = `
import * as chatkit from "chatkit-server";
import { scenario } from "./scenario.mjs";
export default {
  async test() {
    console.log(JSON.stringify({ checks: await scenario(chatkit) }));
  },
};
`;

/** One Worker, no compatibility flags: no `nodejs_compat`. */
const WORKERD_CONFIG = `
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.bundle.js")],
  compatibilityDate = "2025-09-01",
);
`;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProgram(file: string, args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), NO_COLOR: "1" } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n(stopped after ${RUN_TIMEOUT_MS} ms)` : stderr });
    });
  });
}

/** The checks a run reported on its last `{"checks":[...]}` line; its output when there is none. */
function reportedChecks(outcome: Outcome): string[] {
  const line = `${outcome.stdout}\n${outcome.stderr}`.split("\n").reverse().find((text) => text.includes('{"checks":'));
  if (outcome.code !== 0 || !line) {
    assert.fail(`exit code ${outcome.code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`);
  }
  return (JSON.parse(line.slice(line.indexOf('{"checks":'))) as { checks: string[] }).checks;
}

/** The command that runs `entry.mjs` on a runtime. */
function commandOf(runtime: Runtime): string[] {
  switch (runtime.kind) {
    case "node":
      return ["entry.mjs"];
    case "bun":
      return ["run", "--no-install", "entry.mjs"];
    case "deno":
      // No permission flags: the root needs none.
      return ["run", "--no-prompt", "--no-remote", "entry.mjs"];
    case "workerd":
      return ["test", "config.capnp"];
  }
}

/** Why dist/ cannot be tested as it is (missing, or older than a source file), if so. */
async function unbuilt(): Promise<string | undefined> {
  const built = await stat(path.join(repoRoot, "dist/index.js")).catch(() => undefined);
  if (!built) return "dist/ is missing: run `npm run build` first";
  const src = path.join(repoRoot, "src");
  for (const file of await readdir(src, { recursive: true })) {
    if ((await stat(path.join(src, file))).mtimeMs > built.mtimeMs) return `dist/ is older than src/${file}: run \`npm run build\` first`;
  }
  return undefined;
}

/** Why `runtime` cannot run here (not fetched, or another platform), if so. */
async function unavailable(runtime: Runtime): Promise<string | undefined> {
  if (!platformSupported) return `the pinned runtimes are built for ${RUNTIME_PLATFORM}, this is ${process.platform}-${process.arch}`;
  if (!(await isInstalled(runtime))) return `${runtime.package}@${runtime.version} is not fetched: run \`npm run runtimes\``;
  return undefined;
}

/**
 * Skips the test for `reason` — a fresh clone's `npm test` passes before `npm run build` and
 * `npm run runtimes` — except under CI, where nothing may be left out: there it fails.
 */
function ready(t: TestContext, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  if (process.env.CI) assert.fail(reason);
  t.skip(reason);
  return false;
}

describe("the root entry on each runtime", () => {
  let app: string;
  let remove: () => Promise<void>;
  let notBuilt: string | undefined;

  before(async () => {
    notBuilt = await unbuilt();
    const manifest = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as PackageManifest;
    const scenario = await transform(await readFile(new URL("./scenario.ts", import.meta.url), "utf8"), { loader: "ts", format: "esm", target: "es2022" });
    const dir = await mkdtemp(path.join(tmpdir(), "chatkit-runtimes-"));
    remove = () => rm(dir, { recursive: true, force: true });
    // An app with the package linked, not packed: its exports map leads to the built dist/.
    app = path.join(dir, "app");
    await mkdir(path.join(app, "node_modules"), { recursive: true });
    await symlink(repoRoot, path.join(app, "node_modules", manifest.name), "dir");
    await linkPackages(app, Object.keys(manifest.dependencies ?? {}));
    const files = {
      "package.json": JSON.stringify({ name: "app", private: true, type: "module" }),
      "scenario.mjs": scenario.code,
      "entry.mjs": ENTRY,
      "worker.mjs": WORKER,
      "config.capnp": WORKERD_CONFIG,
    };
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(app, file), text);
  });
  after(() => remove?.());

  for (const runtime of RUNTIMES.filter((candidate) => candidate.kind !== "workerd")) {
    test(`${runtime.id} (${runtime.package}@${runtime.version})`, async (t) => {
      if (!ready(t, notBuilt ?? (await unavailable(runtime)))) return;
      assert.deepEqual(reportedChecks(await runProgram(binaryPath(runtime), commandOf(runtime), app)), CHECKS);
    });
  }

  test("bundles for the browser platform with no Node built-in", { todo: NOT_WEB_STANDARD }, async (t) => {
    if (!ready(t, notBuilt)) return;
    await bundleWorker(app);
  });

  const workerd = RUNTIMES.find((candidate) => candidate.kind === "workerd")!;
  test(`workerd without nodejs_compat (${workerd.package}@${workerd.version})`, { todo: NOT_WEB_STANDARD }, async (t) => {
    if (!ready(t, notBuilt ?? (await unavailable(workerd)))) return;
    await bundleWorker(app);
    assert.deepEqual(reportedChecks(await runProgram(binaryPath(workerd), commandOf(workerd), app)), CHECKS);
  });
});

/** worker.mjs and the package, bundled as a browser would take them; any Node built-in fails it. */
async function bundleWorker(app: string): Promise<void> {
  const result = await build({
    absWorkingDir: app,
    entryPoints: ["worker.mjs"],
    outfile: "worker.bundle.js",
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    logLevel: "silent",
    write: false,
  }).catch((error: { errors?: { text: string; location: { file: string } | null }[] }) => {
    const found = (error.errors ?? []).map((e) => `${e.location ? `${e.location.file}: ` : ""}${e.text}`);
    assert.fail(`the browser-platform bundle failed:\n${found.join("\n") || String(error)}`);
  });
  await writeFile(path.join(app, "worker.bundle.js"), result.outputFiles[0]!.contents);
}
