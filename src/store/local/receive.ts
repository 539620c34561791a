import { RequestError } from "../../server/errors.js";
import type { AttachmentHttpRequest } from "../attachment-routes.js";
import { TempFile } from "./files.js";
import { once } from "node:events";
import busboy, { type Busboy } from "busboy";
import { resolveMediaType } from "./mime.js";

/** Limits and checks of one upload. */
export interface ReceiveOptions {
  /** Where the temporary file goes (the store's directory). */
  directory: string;
  /** Most file bytes accepted; more is a 413. */
  limit: number;
  /** Refuse a raw body (direct uploads need the file name and type of a multipart part). */
  multipartOnly: boolean;
  /**
   * Checks the type of the upload (a part's or the request's `Content-Type`, maybe missing) and
   * returns the media type to keep, or throws a `RequestError` (415). Runs before any byte is
   * written.
   */
  checkMediaType(contentType: string | undefined, fileName: string | undefined): string;
}

/** An upload in a temporary file, for the caller to commit or discard. */
export interface ReceivedUpload {
  file: TempFile;
  mediaType: string;
  fileName: string | undefined;
}

/** Form fields other than `file` are skipped, up to this many bytes in all. */
const MAX_OTHER_FIELD_BYTES = 64 * 1024;

const tooLarge = (limit: number) => new RequestError(413, `Upload is larger than ${limit} bytes`);

function declaredLength(request: AttachmentHttpRequest): number | undefined {
  const value = request.header("content-length");
  if (value === undefined) return undefined;
  const length = Number(value);
  return Number.isFinite(length) ? length : undefined;
}

/**
 * Streams the body of an upload into a temporary file: the raw body, or the `file` field of a
 * multipart/form-data body. Nothing is left on disk when it throws.
 */
export async function receiveUpload(request: AttachmentHttpRequest, options: ReceiveOptions): Promise<ReceivedUpload> {
  if (!/^multipart\/form-data\b/i.test(request.header("content-type") ?? "")) {
    if (options.multipartOnly) {
      throw new RequestError(415, "Send the file as multipart/form-data with a `file` field");
    }
    return receiveRaw(request, options);
  }
  return receiveMultipart(request, options);
}

async function receiveRaw(request: AttachmentHttpRequest, options: ReceiveOptions): Promise<ReceivedUpload> {
  const mediaType = options.checkMediaType(request.header("content-type"), undefined);
  if ((declaredLength(request) ?? 0) > options.limit) throw tooLarge(options.limit);
  const file = await TempFile.create(options.directory);
  try {
    for await (const chunk of request.body) {
      if (file.size + chunk.byteLength > options.limit) throw tooLarge(options.limit);
      await file.write(chunk);
    }
  } catch (error) {
    await file.discard();
    throw error;
  }
  return { file, mediaType, fileName: undefined };
}

async function receiveMultipart(request: AttachmentHttpRequest, options: ReceiveOptions): Promise<ReceivedUpload> {
  // The whole body may exceed the file by the part headers and the other fields.
  const length = declaredLength(request);
  if (length !== undefined && length > options.limit + MAX_OTHER_FIELD_BYTES + 16 * 1024) throw tooLarge(options.limit);
  let parser: Busboy;
  try {
    parser = busboy({
      headers: { "content-type": request.header("content-type") },
      // busboy flags a file as truncated once it reaches `fileSize`: one byte over the limit.
      limits: { files: 1, fileSize: options.limit + 1, fields: 32, fieldSize: MAX_OTHER_FIELD_BYTES, parts: 40 },
    });
  } catch (error) {
    throw new RequestError(400, `Invalid multipart body: ${(error as Error).message}`);
  }
  let received: ReceivedUpload | undefined;
  let failure: unknown;
  const writes: Promise<void>[] = [];
  parser.on("file", (name, stream, info) => {
    // A cut body errors the part streams too; the parser's own error reports it.
    stream.on("error", () => {});
    if (name !== "file" || failure !== undefined) {
      stream.resume();
      return;
    }
    // busboy reports RFC 7578's default, text/plain, for a part sent without a type, as browsers
    // do for extensions they do not know (.md): let the file name decide then.
    const partType = info.mimeType === "text/plain" ? resolveMediaType(undefined, info.filename) || info.mimeType : info.mimeType;
    writes.push(
      (async () => {
        const mediaType = options.checkMediaType(partType, info.filename);
        const upload: ReceivedUpload = { file: await TempFile.create(options.directory), mediaType, fileName: info.filename };
        received = upload;
        for await (const chunk of stream as AsyncIterable<Uint8Array>) await upload.file.write(chunk);
        if ((stream as { truncated?: boolean }).truncated) throw tooLarge(options.limit);
      })().catch((error: unknown) => {
        failure ??= error;
        stream.resume();
      }),
    );
  });
  parser.on("filesLimit", () => (failure ??= new RequestError(400, "Only one `file` field is accepted")));
  parser.on("fieldsLimit", () => (failure ??= tooLarge(options.limit)));
  parser.on("partsLimit", () => (failure ??= tooLarge(options.limit)));
  parser.on("field", (_name, _value, info) => {
    if (info.valueTruncated) failure ??= tooLarge(options.limit);
  });
  parser.on("error", (error: unknown) => (failure ??= error));
  const closed = once(parser, "close");
  closed.catch(() => {});
  try {
    for await (const chunk of request.body) {
      if (failure !== undefined) break;
      if (!parser.write(chunk)) await once(parser, "drain");
    }
    if (failure === undefined) {
      parser.end();
      await closed;
    }
    await Promise.all(writes);
    if (failure !== undefined) throw failure;
    if (!received) throw new RequestError(400, "The multipart body has no `file` field");
    return received;
  } catch (error) {
    parser.destroy();
    await Promise.all(writes);
    await (received as ReceivedUpload | undefined)?.file.discard();
    if (error instanceof RequestError) throw error;
    throw new RequestError(400, `Invalid multipart body: ${(error as Error).message}`);
  }
}
