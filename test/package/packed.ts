/**
 * The package as a user gets it: `npm pack` of a checkout without `dist/` (as a fresh clone has
 * it, so the `prepack` script must build), extracted into the node_modules of a temporary app.
 * What the app needs beside it (the package's dependencies, the peers a test chooses) is linked
 * from this repository's node_modules: nothing is downloaded, and anything the package uses
 * without declaring it fails to resolve.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

/** Runs a command; a failure carries its output, so a broken build explains itself. */
export async function exec(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${options.cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

export interface PackageManifest {
  name: string;
  license?: string;
  repository?: { type: string; url: string };
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
}

export interface PackedPackage {
  /** A temporary folder holding the tarball and the apps; `remove()` deletes it. */
  dir: string;
  tarball: string;
  /** The paths in the tarball, as `npm pack` lists them. */
  files: string[];
  manifest: PackageManifest;
  remove(): Promise<void>;
}

/** The files of a fresh clone: tracked, plus new ones not ignored (so work in progress is tested). */
async function checkoutFiles(): Promise<string[]> {
  const { stdout } = await exec("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot });
  return stdout.split("\0").filter(Boolean);
}

/** Packs the package from a copy of the checkout without `dist/`; one build per call. */
export async function packFreshCheckout(): Promise<PackedPackage> {
  const dir = await mkdtemp(path.join(tmpdir(), "chatkit-pack-"));
  const checkout = path.join(dir, "checkout");
  for (const file of await checkoutFiles()) {
    await cp(path.join(repoRoot, file), path.join(checkout, file), { recursive: true }).catch((error: unknown) => {
      // A file deleted in the working tree but still tracked: a fresh clone of the commit to be has none.
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    });
  }
  await symlink(path.join(repoRoot, "node_modules"), path.join(checkout, "node_modules"), "dir");
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", dir], { cwd: checkout });
  // The prepack build's output comes first; the JSON report is the last thing printed.
  const [report] = JSON.parse(stdout.slice(stdout.lastIndexOf("\n[\n") + 1)) as [{ filename: string; files: { path: string }[] }];
  const tarball = path.join(dir, report.filename);
  const manifest = JSON.parse(await readFile(path.join(checkout, "package.json"), "utf8")) as PackageManifest;
  return {
    dir,
    tarball,
    files: report.files.map((file) => file.path),
    manifest,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Links packages from this repository's node_modules into `app` (`@scope/name` included). */
export async function linkPackages(app: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const target = path.join(app, "node_modules", name);
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(path.join(repoRoot, "node_modules", name), target, "dir");
  }
}

/**
 * A temporary app with the tarball installed and the package's dependencies linked, plus
 * `packages` (peers, tools). `files` are written into it.
 */
export async function createApp(
  packed: PackedPackage,
  name: string,
  { packages = [], files = {} }: { packages?: readonly string[]; files?: Record<string, string> } = {},
): Promise<string> {
  const app = path.join(packed.dir, name);
  const installed = path.join(app, "node_modules", packed.manifest.name);
  await mkdir(installed, { recursive: true });
  await exec("tar", ["-xzf", packed.tarball, "-C", installed, "--strip-components=1"], { cwd: app });
  await linkPackages(app, [...Object.keys(packed.manifest.dependencies ?? {}), ...packages]);
  const all = { "package.json": JSON.stringify({ name, private: true, type: "module" }), ...files };
  for (const [file, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(app, file)), { recursive: true });
    await writeFile(path.join(app, file), text);
  }
  return app;
}

/** The exported subpaths of the package, as an app imports them (`chatkit-server/widgets`). */
export function subpaths(manifest: PackageManifest): string[] {
  return Object.keys(manifest.exports)
    .filter((key) => !key.endsWith(".json"))
    .map((key) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}
