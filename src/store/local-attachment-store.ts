import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import type { Attachment, AttachmentCreateParams } from "../protocol/attachment.js";
import { toWireAttachment } from "../protocol/wire.js";
import { RequestError } from "../server/errors.js";
import type {
  AttachmentHttpRequest,
  AttachmentHttpResponse,
  AttachmentRouteEnv,
  AttachmentRoutes,
} from "./attachment-routes.js";
import { ConflictError, NotFoundError } from "./errors.js";
import { fileKey, isValidAttachmentId, TempFile } from "./local/files.js";
import { DEFAULT_ALLOWED_MIME_TYPES, isAllowedMediaType, isUnspecified, mediaTypeOf, resolveMediaType } from "./local/mime.js";
import { receiveUpload, type ReceivedUpload } from "./local/receive.js";
import { AttachmentStore } from "./store.js";

/** Options of `LocalAttachmentStore`. */
export interface LocalAttachmentStoreOptions {
  /** Directory for the files; created when missing. Keep it out of any static file server. */
  directory: string;
  /**
   * Public URL at which the HTTP adapters serve this store's routes, e.g.
   * `"http://localhost:8000/chatkit/attachments"`. Upload and preview URLs start with it. Use a
   * path of its own, not the ChatKit endpoint's.
   */
  baseUrl: string;
  /**
   * The request path the adapters match, when it differs from `baseUrl`'s (a proxy rewrites the
   * path). Default: the path of `baseUrl`.
   */
  routePrefix?: string;
  /** Largest accepted file in bytes. Default 20 MB. */
  maxBytes?: number;
  /**
   * Accepted media types, exact (`image/png`) or wildcards (`image/*`). Default: png, jpeg, gif,
   * webp, pdf, text/plain, text/markdown, text/csv, application/json.
   */
  allowedMimeTypes?: readonly string[];
  /**
   * Key that signs preview URLs. Default: a random key kept in `<directory>/.preview-secret`, so
   * URLs stored in messages survive restarts.
   */
  secret?: string;
}

/** What the store keeps next to the bytes of an uploaded attachment. */
export interface LocalAttachmentInfo {
  id: string;
  name: string;
  mime_type: string;
  size: number;
}

export const DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8" };
const SECRET_FILE = ".preview-secret";

const notFound = (id: string) => new RequestError(404, `Attachment not found: ${id}`);

function json(status: number, value: unknown): AttachmentHttpResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(value) };
}

/** The attachment without its upload descriptor: the bytes are in. */
function markUploaded(attachment: Attachment): Attachment {
  const { upload_descriptor: _descriptor, ...rest } = attachment;
  return rest;
}

function declaredSize(attachment: Attachment): number | undefined {
  const size = attachment.metadata?.size;
  return typeof size === "number" && Number.isInteger(size) && size >= 0 ? size : undefined;
}

/**
 * Attachments on the local filesystem, with upload and preview routes that `toFetchHandler` and
 * `toNodeHandler` serve. For development and single-machine deployments; use object storage
 * (S3, GCS) with signed URLs when several machines serve the app.
 *
 * Routes, below the path of `baseUrl` (`/chatkit/attachments` here):
 * - `POST /chatkit/attachments/{id}/upload` — the two-phase upload of an attachment created by
 *   `attachments.create`: the raw bytes, or multipart/form-data with a `file` field.
 * - `POST /chatkit/attachments` — direct upload (the client's `{ type: "direct", uploadUrl }`):
 *   multipart/form-data with a `file` field; answers the new attachment's JSON.
 * - `GET /chatkit/attachments/{id}/preview?token=…` — the bytes, for `preview_url`; the token
 *   signs the id, so `<img>` tags work without credentials.
 *
 * Uploads run the adapter's `context` builder (authentication) and check the attachment in the
 * `Store` with that context.
 *
 * ```ts
 * const attachments = new LocalAttachmentStore({ directory: "./data/attachments", baseUrl: "http://localhost:8000/chatkit/attachments" });
 * const server = new MyServer({ store, attachmentStore: attachments });
 * ```
 */
export class LocalAttachmentStore<TContext = unknown>
  extends AttachmentStore<TContext>
  implements AttachmentRoutes<TContext>
{
  /** Absolute path of the directory. */
  readonly directory: string;
  readonly baseUrl: string;
  readonly routePrefix: string;
  readonly maxBytes: number;
  readonly allowedMimeTypes: readonly string[];
  readonly #secretOption: string | undefined;
  #secret: Promise<Buffer> | undefined;
  #ready: Promise<void> | undefined;
  /** Ids with an upload in flight: a second concurrent upload is refused. */
  readonly #uploading = new Set<string>();

  constructor(options: LocalAttachmentStoreOptions) {
    super();
    this.directory = resolve(options.directory);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.routePrefix = (options.routePrefix ?? new URL(this.baseUrl).pathname).replace(/\/+$/, "");
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
    this.allowedMimeTypes = options.allowedMimeTypes ?? DEFAULT_ALLOWED_MIME_TYPES;
    this.#secretOption = options.secret;
  }

  /**
   * Two-phase upload: a new attachment whose `upload_descriptor` points at this store's upload
   * route. Refuses a type not allowed (415) or a size over the maximum (413). The declared size is
   * kept in `metadata.size`, and the upload must match it.
   */
  override async createAttachment(params: AttachmentCreateParams, context: TContext): Promise<Attachment> {
    const mimeType = this.#checkMediaType(resolveMediaType(params.mime_type, params.name));
    if (params.size > this.maxBytes) {
      throw new RequestError(413, `Attachment is larger than ${this.maxBytes} bytes`);
    }
    const id = this.#newId(mimeType, context);
    const attachment = await this.#describe(id, params.name, mimeType, params.size);
    return {
      ...attachment,
      upload_descriptor: { url: `${this.baseUrl}/${encodeURIComponent(id)}/upload`, method: "POST", headers: {} },
    };
  }

  /** Deletes the bytes; a missing attachment is not an error. */
  async deleteAttachment(attachmentId: string, _context: TContext): Promise<void> {
    if (!isValidAttachmentId(attachmentId)) return;
    const stem = join(this.directory, fileKey(attachmentId));
    await rm(`${stem}.bin`, { force: true });
    await rm(`${stem}.json`, { force: true });
  }

  /** The bytes of an uploaded attachment, e.g. for a model converter. Throws `NotFoundError`. */
  async read(attachmentId: string, _context: TContext): Promise<Uint8Array> {
    const paths = this.#paths(attachmentId);
    try {
      return new Uint8Array(await readFile(paths.bytes));
    } catch (error) {
      throw this.#missing(error, attachmentId);
    }
  }

  /**
   * The bytes of an uploaded attachment as a stream, with what the store knows of it (name, type,
   * size). Throws `NotFoundError`.
   */
  open(attachmentId: string, _context: TContext): Promise<{ info: LocalAttachmentInfo; stream: Readable }> {
    return this.#open(attachmentId);
  }

  async #open(attachmentId: string): Promise<{ info: LocalAttachmentInfo; stream: Readable }> {
    const paths = this.#paths(attachmentId);
    try {
      const info = JSON.parse(await readFile(paths.info, "utf8")) as LocalAttachmentInfo;
      const { size } = await stat(paths.bytes);
      return { info: { ...info, size }, stream: createReadStream(paths.bytes) };
    } catch (error) {
      throw this.#missing(error, attachmentId);
    }
  }

  /** A signed URL serving the bytes of any attachment of this store (images get it as `preview_url`). */
  async contentUrl(attachmentId: string): Promise<string> {
    return `${this.baseUrl}/${encodeURIComponent(attachmentId)}/preview?token=${await this.#sign(attachmentId)}`;
  }

  /** Serves the upload, direct-upload and preview routes (see the class docs). */
  async handleAttachmentRequest(
    request: AttachmentHttpRequest,
    env: AttachmentRouteEnv<TContext>,
  ): Promise<AttachmentHttpResponse | undefined> {
    const { pathname } = request.url;
    if (!pathname.startsWith(this.routePrefix)) return undefined;
    const rest = pathname.slice(this.routePrefix.length);
    if (rest === "" || rest === "/") {
      if (request.method !== "POST") throw new RequestError(405, "Method not allowed: use POST");
      return this.#directUpload(request, env);
    }
    if (!rest.startsWith("/")) return undefined; // `/chatkit/attachmentsX` is not ours
    const match = /^\/([^/]+)\/(upload|preview)$/.exec(rest);
    if (!match) throw new RequestError(404, "Not found");
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      throw new RequestError(404, "Not found");
    }
    if (!isValidAttachmentId(id)) throw notFound(id);
    if (match[2] === "upload") {
      if (request.method !== "POST") throw new RequestError(405, "Method not allowed: use POST");
      return this.#upload(id, request, env);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return { ...json(405, { error: "Method not allowed: use GET" }), headers: { ...JSON_HEADERS, Allow: "GET, HEAD" } };
    }
    return this.#preview(id, request);
  }

  async #upload(id: string, request: AttachmentHttpRequest, env: AttachmentRouteEnv<TContext>): Promise<AttachmentHttpResponse> {
    const context = await env.context();
    let attachment: Attachment;
    try {
      attachment = await env.store.loadAttachment(id, context);
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(id);
      throw error;
    }
    if (!attachment.upload_descriptor) throw new RequestError(409, `Attachment ${id} is already uploaded`);
    if (this.#uploading.has(id)) throw new RequestError(409, `Attachment ${id} is being uploaded`);
    this.#uploading.add(id);
    try {
      const size = declaredSize(attachment);
      const upload = await this.#receive(request, { limit: size ?? this.maxBytes, mediaType: mediaTypeOf(attachment.mime_type) });
      if (size !== undefined && upload.file.size !== size) {
        await upload.file.discard();
        throw new RequestError(400, `Upload has ${upload.file.size} bytes, ${size} were declared`);
      }
      const uploaded = markUploaded(attachment);
      await this.#commit(upload.file, { id, name: attachment.name, mime_type: attachment.mime_type, size: upload.file.size });
      await this.#saveOrRollback(env, uploaded, context);
      return json(200, toWireAttachment(uploaded));
    } finally {
      this.#uploading.delete(id);
    }
  }

  async #directUpload(request: AttachmentHttpRequest, env: AttachmentRouteEnv<TContext>): Promise<AttachmentHttpResponse> {
    const context = await env.context();
    const upload = await this.#receive(request, { limit: this.maxBytes, mediaType: undefined, multipartOnly: true });
    const name = upload.fileName ?? "file";
    let attachment: Attachment;
    try {
      const id = this.#newId(upload.mediaType, context);
      attachment = await this.#describe(id, name, upload.mediaType, upload.file.size);
      // The metadata first: inserting it claims the id, so an id that exists (a broken id
      // generator) is refused before its files could be overwritten.
      await env.store.addAttachment(attachment, context);
    } catch (error) {
      await upload.file.discard();
      if (error instanceof ConflictError) throw new RequestError(409, error.message, { cause: error });
      throw error;
    }
    try {
      await this.#commit(upload.file, { id: attachment.id, name, mime_type: upload.mediaType, size: upload.file.size });
    } catch (error) {
      await env.store.deleteAttachment(attachment.id, context);
      throw error;
    }
    return json(200, toWireAttachment(attachment));
  }

  async #preview(id: string, request: AttachmentHttpRequest): Promise<AttachmentHttpResponse> {
    const token = request.url.searchParams.get("token") ?? "";
    const expected = Buffer.from(await this.#sign(id));
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notFound(id);
    let opened: { info: LocalAttachmentInfo; stream: Readable };
    try {
      opened = await this.#open(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(id);
      throw error;
    }
    const { info, stream } = opened;
    const inline = info.mime_type.startsWith("image/");
    const headers: Record<string, string> = {
      "Content-Type": info.mime_type,
      "Content-Length": String(info.size),
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(info.name)}`,
      "Cache-Control": "private, max-age=86400",
      // User content: never sniffed into HTML, never run as a document.
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    };
    if (request.method === "HEAD") {
      stream.destroy();
      return { status: 200, headers };
    }
    return { status: 200, headers, body: stream };
  }

  /** Reads the request body into a temporary file, enforcing the limits. */
  async #receive(
    request: AttachmentHttpRequest,
    expect: { limit: number; mediaType: string | undefined; multipartOnly?: boolean },
  ): Promise<ReceivedUpload> {
    await this.#ensureDirectory();
    return receiveUpload(request, {
      directory: this.directory,
      limit: expect.limit,
      multipartOnly: expect.multipartOnly ?? false,
      checkMediaType: (partType, fileName) => {
        const resolved = resolveMediaType(partType, fileName);
        if (expect.mediaType === undefined) return this.#checkMediaType(resolved);
        // The declared type was checked by createAttachment; an unspecified part type is fine.
        if (!isUnspecified(resolved) && resolved !== expect.mediaType) {
          throw new RequestError(415, `Upload is ${resolved}, but ${expect.mediaType} was declared`);
        }
        return expect.mediaType;
      },
    });
  }

  /** Writes the info file, then moves the bytes in place. */
  async #commit(file: TempFile, info: LocalAttachmentInfo): Promise<void> {
    const paths = this.#paths(info.id);
    const infoFile = await TempFile.create(this.directory);
    try {
      await infoFile.write(Buffer.from(JSON.stringify(info)));
    } catch (error) {
      await infoFile.discard();
      await file.discard();
      throw error;
    }
    await infoFile.commit(paths.info).catch(async (error: unknown) => {
      await file.discard();
      throw error;
    });
    await file.commit(paths.bytes).catch(async (error: unknown) => {
      await rm(paths.info, { force: true });
      throw error;
    });
  }

  /** Saves the metadata; on failure removes the files just committed, leaving the store as it was. */
  async #saveOrRollback(env: AttachmentRouteEnv<TContext>, attachment: Attachment, context: TContext): Promise<void> {
    try {
      await env.store.saveAttachment(attachment, context);
    } catch (error) {
      await this.deleteAttachment(attachment.id, context);
      throw error;
    }
  }

  #checkMediaType(mediaType: string): string {
    if (!isAllowedMediaType(mediaType, this.allowedMimeTypes)) {
      throw new RequestError(415, `Attachments of type ${mediaType || "(none)"} are not accepted`);
    }
    return mediaType;
  }

  #newId(mimeType: string, context: TContext): string {
    const id = this.generateAttachmentId(mimeType, context);
    if (!isValidAttachmentId(id)) throw new Error(`generateAttachmentId returned an id LocalAttachmentStore cannot use: ${id}`);
    return id;
  }

  /** The attachment JSON for a file of this store (images get a `preview_url`). */
  async #describe(id: string, name: string, mimeType: string, size: number): Promise<Attachment> {
    const base = { id, name, mime_type: mimeType, metadata: { size } };
    if (!mimeType.startsWith("image/")) return { type: "file", ...base };
    return { type: "image", ...base, preview_url: await this.contentUrl(id) };
  }

  #paths(attachmentId: string): { bytes: string; info: string } {
    if (!isValidAttachmentId(attachmentId)) throw new NotFoundError(`Attachment not found: ${attachmentId}`);
    const stem = join(this.directory, fileKey(attachmentId));
    return { bytes: `${stem}.bin`, info: `${stem}.json` };
  }

  #missing(error: unknown, attachmentId: string): unknown {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return code === "ENOENT" ? new NotFoundError(`Attachment not found: ${attachmentId}`, { cause: error }) : error;
  }

  #ensureDirectory(): Promise<void> {
    this.#ready ??= mkdir(this.directory, { recursive: true, mode: 0o700 }).then(() => {});
    return this.#ready;
  }

  async #sign(id: string): Promise<string> {
    const key = await (this.#secret ??= this.#loadSecret());
    return createHmac("sha256", key).update(id).digest("base64url").slice(0, 32);
  }

  async #loadSecret(): Promise<Buffer> {
    if (this.#secretOption !== undefined) return Buffer.from(this.#secretOption);
    await this.#ensureDirectory();
    const path = join(this.directory, SECRET_FILE);
    try {
      await writeFile(path, randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    return Buffer.from((await readFile(path, "utf8")).trim());
  }
}
