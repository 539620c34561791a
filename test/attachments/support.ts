import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import {
  InMemoryStore,
  LocalAttachmentStore,
  RequestError,
  toFetchHandler,
  toNodeHandler,
  type LocalAttachmentStoreOptions,
} from "../../src/index.js";
import { deferred, TestServer, type TestContext } from "../support/helpers.js";

export interface App {
  /** The ChatKit endpoint, e.g. http://127.0.0.1:1234/chatkit */
  endpoint: string;
  /** The attachment routes' base, e.g. http://127.0.0.1:1234/chatkit/attachments */
  base: string;
  /** A temporary root; the store's directory is `root/attachments`. */
  root: string;
  directory: string;
  server: TestServer;
  store: InMemoryStore<TestContext>;
  attachments: LocalAttachmentStore<TestContext>;
  close(): Promise<void>;
}

export type StoreOverrides = Partial<Omit<LocalAttachmentStoreOptions, "directory" | "baseUrl">>;

/** `Authorization: Bearer <user>` is the user; `Bearer denied` is a 401. */
const authContext = (header: string | null | undefined): TestContext => {
  if (header === "Bearer denied") throw new RequestError(401, "Unauthorized");
  return { userId: header?.replace(/^Bearer /, "") ?? "anonymous" };
};

function build(port: number, root: string, overrides: StoreOverrides) {
  const directory = join(root, "attachments");
  const base = `http://127.0.0.1:${port}/chatkit/attachments`;
  const attachments = new LocalAttachmentStore<TestContext>({ directory, baseUrl: base, ...overrides });
  const store = new InMemoryStore<TestContext>({ owner: (context) => context.userId });
  const server = new TestServer({}, { store, attachmentStore: attachments });
  return { directory, base, attachments, store, server, endpoint: `http://127.0.0.1:${port}/chatkit` };
}

/** Mounts a server with a LocalAttachmentStore behind `toNodeHandler` on node:http. */
export async function mountNode(overrides: StoreOverrides = {}): Promise<App> {
  const root = await mkdtemp(join(tmpdir(), "chatkit-attachments-"));
  let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
  const httpServer = http.createServer((req, res) => void handler!(req, res));
  httpServer.listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  const { port } = httpServer.address() as AddressInfo;
  const parts = build(port, root, overrides);
  handler = toNodeHandler(parts.server, { context: (req) => authContext(req.headers.authorization) });
  return {
    ...parts,
    root,
    close: async () => {
      await new Promise<void>((resolve) => { httpServer.closeAllConnections(); httpServer.close(() => resolve()); });
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Mounts a server with a LocalAttachmentStore behind `toFetchHandler` in Hono on @hono/node-server. */
export async function mountFetch(overrides: StoreOverrides = {}): Promise<App> {
  const root = await mkdtemp(join(tmpdir(), "chatkit-attachments-"));
  let handler: ((request: Request) => Promise<Response>) | undefined;
  const app = new Hono();
  app.all("/chatkit", (c) => handler!(c.req.raw));
  app.all("/chatkit/*", (c) => handler!(c.req.raw));
  const listening = deferred<AddressInfo>();
  const httpServer = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => listening.resolve(info));
  const { port } = await listening.promise;
  const parts = build(port, root, overrides);
  handler = toFetchHandler(parts.server, { context: (req) => authContext(req.headers.get("authorization")) });
  return {
    ...parts,
    root,
    close: async () => {
      await new Promise<void>((resolve) => { (httpServer as http.Server).closeAllConnections(); httpServer.close(() => resolve()); });
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const ADAPTERS = [["toNodeHandler", mountNode], ["toFetchHandler (Hono)", mountFetch]] as const;

/** The files in the store's directory, the preview key excepted (none when it does not exist). */
export async function storedFiles(app: App): Promise<string[]> {
  try {
    return (await readdir(app.directory)).filter((name) => name !== ".preview-secret").sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export const auth = (user = "alice") => ({ authorization: `Bearer ${user}` });

/** POSTs a ChatKit request as JSON. */
export function chatkit(app: App, request: unknown, user = "alice"): Promise<Response> {
  return fetch(app.endpoint, { method: "POST", body: JSON.stringify(request), headers: { "content-type": "application/json", ...auth(user) } });
}

/** `attachments.create` over HTTP; returns the attachment JSON. */
export async function createAttachment(app: App, params: { name: string; size: number; mime_type: string }, user = "alice") {
  const response = await chatkit(app, { type: "attachments.create", params }, user);
  if (response.status !== 200) throw new Error(`attachments.create answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string; type: string; upload_descriptor: { url: string; method: string; headers: Record<string, string> }; preview_url?: string; [key: string]: unknown };
}

/** A multipart/form-data body with a `file` field, as the ChatKit client sends it. */
export function fileForm(bytes: Uint8Array, name: string, type: string, extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(extra)) form.append(key, value);
  form.append("file", new Blob([bytes], { type }), name);
  return form;
}

/** Deterministic bytes of a given size. */
export function bytesOf(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** A tiny valid PNG (1×1, transparent). */
export const PNG = new Uint8Array(Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
));
