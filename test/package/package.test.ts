/**
 * The published package, as an app sees it: packed from a checkout without `dist/`, installed
 * into temporary apps, imported and required by every subpath, used without and with its
 * optional peers, and typechecked from a strict TypeScript file.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createApp, exec, linkPackages, packFreshCheckout, repoRoot, subpaths, type PackedPackage } from "./packed.js";

/** Prints, as JSON, the sorted export names of each subpath given as arguments. */
const IMPORT_ALL = `
const names = {};
for (const subpath of process.argv.slice(2)) names[subpath] = Object.keys(await import(subpath)).sort();
console.log(JSON.stringify(names));
`;
const REQUIRE_ALL = `
const names = {};
for (const subpath of process.argv.slice(2)) names[subpath] = Object.keys(require(subpath)).sort();
console.log(JSON.stringify(names));
`;

/** Uses each feature that needs an optional peer; prints what each attempt gave. */
const USE_PEERS = `
import { SQLiteStore } from "chatkit-server/sqlite";
import { PostgresStore } from "chatkit-server/postgres";
import { WidgetTemplate } from "chatkit-server/widgets";

const greeting = {
  version: "1.0",
  name: "Greeting",
  template: '{"type":"Card","children":[{"type":"Text","value":{{ name | tojson }}}]}',
  jsonSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
};
async function attempt(use) {
  try {
    return { ok: await use() };
  } catch (error) {
    return { error: \`\${error.constructor.name}: \${error.message}\` };
  }
}
console.log(JSON.stringify({
  sqlite: await attempt(async () => {
    const store = new SQLiteStore({ path: ":memory:" });
    const page = await store.loadThreads(10, undefined, "desc", {});
    store.close();
    return page;
  }),
  postgres: await attempt(async () => {
    await new PostgresStore({ connectionString: "postgres://nobody@127.0.0.1:1/none" }).close();
    return "created";
  }),
  template: await attempt(() => new WidgetTemplate(greeting).name),
  validated: await attempt(() => new WidgetTemplate(greeting).build({ name: "Ada" })),
  unvalidated: await attempt(() => new WidgetTemplate(greeting).build({ name: "Ada" }, { validate: false })),
}));
`;

/** A strict app using the public API of every subpath. */
const STRICT_APP = `
import http from "node:http";
import {
  ChatKitServer,
  InMemoryStore,
  toFetchHandler,
  toNodeHandler,
  type Store,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
} from "chatkit-server";
import { PostgresStore } from "chatkit-server/postgres";
import { SQLiteStore } from "chatkit-server/sqlite";
import { Card, Markdown, streamWidget, WidgetTemplate, type WidgetRoot } from "chatkit-server/widgets";
import { AgentContext, simpleToAgentInput, streamAgentResponse } from "chatkit-server/agents";

type Context = { userId: string };

class Server extends ChatKitServer<Context> {
  override async *respond(
    thread: ThreadMetadata,
    input: UserMessageItem | null,
    context: Context,
    turn: Turn,
  ): AsyncIterable<ThreadStreamEvent> {
    if (turn.signal.aborted) return;
    const text = input?.content.map((part) => part.text).join(" ") ?? "";
    const widget: WidgetRoot = Card({ children: [Markdown({ value: text })] });
    yield* streamWidget(thread, widget, { generateId: () => this.store.generateItemId("message", thread, context) });
    const agentContext = new AgentContext({ thread, store: this.store, requestContext: context });
    const items = await simpleToAgentInput([]);
    void [agentContext, items, streamAgentResponse];
  }
}

function storeFor(kind: string): Store<Context> {
  const owner = (ctx: Context) => ctx.userId;
  if (kind === "sqlite") return new SQLiteStore<Context>({ path: ":memory:", owner });
  if (kind === "postgres") return new PostgresStore<Context>({ connectionString: "postgres://db/app", owner });
  return new InMemoryStore<Context>({ owner });
}

const server = new Server({ store: storeFor("memory") });
export const handle: (request: Request) => Promise<Response> = toFetchHandler(server, {
  context: (request) => ({ userId: request.headers.get("x-user-id") ?? "anonymous" }),
});
export const node = http.createServer(toNodeHandler(server, { context: () => ({ userId: "anonymous" }) }));
export const template: Promise<WidgetTemplate> = WidgetTemplate.fromFile(new URL("./order.widget", import.meta.url));
`;

const STRICT_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    noEmit: true,
  },
  files: ["server.ts"],
};

let packed: PackedPackage;
before(async () => {
  packed = await packFreshCheckout();
});
after(() => packed?.remove());

/** The export names of each subpath in the sources, for comparison with the installed package. */
async function sourceExportNames(): Promise<Record<string, string[]>> {
  const names: Record<string, string[]> = {};
  for (const [key, target] of Object.entries(packed.manifest.exports)) {
    if (typeof target === "string") continue;
    const source = path.join(repoRoot, target.default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));
    const subpath = key === "." ? packed.manifest.name : `${packed.manifest.name}/${key.slice(2)}`;
    names[subpath] = Object.keys((await import(source)) as object).sort();
  }
  return names;
}

describe("the tarball", () => {
  test("a checkout without dist/ packs the built package: LICENSE, README, every export target", () => {
    for (const file of ["LICENSE", "README.md", "package.json"]) assert.ok(packed.files.includes(file), file);
    for (const target of Object.values(packed.manifest.exports)) {
      for (const file of typeof target === "string" ? [target] : [target.types, target.default]) {
        assert.ok(packed.files.includes(file.replace(/^\.\//, "")), `${file} is in the tarball`);
      }
    }
    assert.deepEqual(packed.files.filter((file) => !file.startsWith("dist/")).sort(), ["LICENSE", "README.md", "package.json"]);
  });

  test("source maps carry their sources inline; no declaration maps point at unshipped files", async () => {
    assert.deepEqual(packed.files.filter((file) => file.endsWith(".d.ts.map")), []);
    const maps = packed.files.filter((file) => file.endsWith(".js.map"));
    assert.equal(maps.length, packed.files.filter((file) => file.endsWith(".js")).length);
    const app = await createApp(packed, "maps");
    for (const file of maps) {
      const map = JSON.parse(await readFile(path.join(app, "node_modules", packed.manifest.name, file), "utf8")) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      assert.equal(map.sourcesContent?.length, map.sources.length, file);
      assert.ok(map.sourcesContent.every((content) => typeof content === "string" && content.length > 0), file);
    }
  });

  test("package.json: MIT with a repository, node >= 20 only, built by prepack", () => {
    assert.equal(packed.manifest.license, "MIT");
    assert.equal(packed.manifest.repository?.type, "git");
    assert.deepEqual(packed.manifest.engines, { node: ">=20" });
    assert.equal(packed.manifest.scripts?.prepack, "npm run build");
  });
});

describe("installed without optional peers", () => {
  let app: string;
  before(async () => {
    app = await createApp(packed, "bare", {
      files: { "import-all.mjs": IMPORT_ALL, "require-all.cjs": REQUIRE_ALL, "use-peers.mjs": USE_PEERS },
    });
  });
  const node = async (...args: string[]) => JSON.parse((await exec(process.execPath, args, { cwd: app })).stdout) as Record<string, unknown>;

  test("every subpath imports (ESM), with the names the sources export", async () => {
    assert.deepEqual(await node("import-all.mjs", ...subpaths(packed.manifest)), await sourceExportNames());
  });

  test("every subpath loads with require() (CommonJS, Node >= 20.19)", async () => {
    // require(esm) needs Node >= 20.19 (or >= 22.12); older versions say the package is an ES module.
    if (!(process.features as { require_module?: boolean }).require_module) {
      await assert.rejects(node("require-all.cjs", ...subpaths(packed.manifest)), /require\(\) of ES Module/);
      return;
    }
    assert.deepEqual(await node("require-all.cjs", ...subpaths(packed.manifest)), await sourceExportNames());
  });

  test("each feature that needs a missing peer says which package to install, when used", async () => {
    assert.deepEqual(await node("use-peers.mjs"), {
      sqlite: { error: "Error: SQLiteStore needs the optional peer dependency better-sqlite3: npm install better-sqlite3" },
      postgres: { error: "Error: PostgresStore needs the optional peer dependency pg: npm install pg" },
      template: { error: "Error: WidgetTemplate needs the optional peer dependency @huggingface/jinja: npm install @huggingface/jinja" },
      validated: { error: "Error: WidgetTemplate needs the optional peer dependency @huggingface/jinja: npm install @huggingface/jinja" },
      unvalidated: { error: "Error: WidgetTemplate needs the optional peer dependency @huggingface/jinja: npm install @huggingface/jinja" },
    });
  });

  test("jinja without ajv: templates work, a data schema says to install ajv", async () => {
    await linkPackages(app, ["@huggingface/jinja"]);
    const result = await node("use-peers.mjs");
    assert.deepEqual([result.template, result.validated, result.unvalidated], [
      { ok: "Greeting" },
      {
        error:
          'Error: The data schema of widget template "Greeting" needs the optional peer dependency ajv: npm install ajv (or build with { validate: false })',
      },
      { ok: { type: "Card", children: [{ type: "Text", value: "Ada" }] } },
    ]);
  });

  test("a peer that is installed but fails to load reports its own error, not a missing package", async () => {
    const ajv = path.join(app, "node_modules", "ajv");
    await mkdir(path.join(ajv, "dist"), { recursive: true });
    await writeFile(path.join(ajv, "package.json"), JSON.stringify({ name: "ajv", version: "8.0.0" }));
    await writeFile(path.join(ajv, "dist", "2020.js"), 'require("uri-js-that-is-not-installed");');
    const broken = (await node("use-peers.mjs")).validated as { error: string };
    assert.match(broken.error, /^Error: Cannot find module 'uri-js-that-is-not-installed'/);
    await writeFile(path.join(ajv, "dist", "2020.js"), 'throw new TypeError("ajv failed to initialize");');
    assert.deepEqual((await node("use-peers.mjs")).validated, { error: "TypeError: ajv failed to initialize" });
    await rm(ajv, { recursive: true });
  });

  test("with every peer installed, every feature works", async () => {
    await linkPackages(app, ["ajv", "better-sqlite3", "pg"]);
    assert.deepEqual(await node("use-peers.mjs"), {
      sqlite: { ok: { data: [], has_more: false } },
      postgres: { ok: "created" },
      template: { ok: "Greeting" },
      validated: { ok: { type: "Card", children: [{ type: "Text", value: "Ada" }] } },
      unvalidated: { ok: { type: "Card", children: [{ type: "Text", value: "Ada" }] } },
    });
  });
});

test("a strict TypeScript app typechecks against the public API of every subpath", async () => {
  const app = await createApp(packed, "strict", {
    packages: ["@openai/agents", "@types/node", "@types/better-sqlite3", "@types/pg"],
    files: { "server.ts": STRICT_APP, "tsconfig.json": JSON.stringify(STRICT_TSCONFIG) },
  });
  const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const { stdout } = await exec(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app });
  assert.equal(stdout, "");
});
