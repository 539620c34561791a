import { RequestError } from "../../server/errors.js";
import type { AttachmentHttpRequest } from "../attachment-routes.js";
import { TempFile } from "./files.js";
import { MultipartError, MultipartParser, multipartBoundary } from "./multipart.js";

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
  let boundary: string | undefined;
  try {
    boundary = multipartBoundary(request.header("content-type"));
  } catch (error) {
    throw new RequestError(400, (error as Error).message);
  }
  if (boundary === undefined) {
    if (options.multipartOnly) {
      throw new RequestError(415, "Send the file as multipart/form-data with a `file` field");
    }
    return receiveRaw(request, options);
  }
  return receiveMultipart(request, boundary, options);
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

async function receiveMultipart(
  request: AttachmentHttpRequest,
  boundary: string,
  options: ReceiveOptions,
): Promise<ReceivedUpload> {
  // The whole body may exceed the file by the part headers and the other fields.
  const length = declaredLength(request);
  if (length !== undefined && length > options.limit + MAX_OTHER_FIELD_BYTES + 16 * 1024) throw tooLarge(options.limit);
  const parser = new MultipartParser(boundary);
  let received: ReceivedUpload | undefined;
  let inFile = false;
  let otherBytes = 0;
  try {
    for await (const chunk of request.body) {
      for (const event of parser.push(chunk)) {
        switch (event.type) {
          case "part": {
            if (event.headers.name !== "file") break;
            if (received) throw new RequestError(400, "Only one `file` field is accepted");
            const { contentType, filename } = event.headers;
            const mediaType = options.checkMediaType(contentType, filename);
            received = { file: await TempFile.create(options.directory), mediaType, fileName: filename };
            inFile = true;
            break;
          }
          case "data":
            if (inFile) {
              const { file } = received!;
              if (file.size + event.chunk.byteLength > options.limit) throw tooLarge(options.limit);
              await file.write(event.chunk);
            } else if ((otherBytes += event.chunk.byteLength) > MAX_OTHER_FIELD_BYTES) {
              throw tooLarge(options.limit);
            }
            break;
          case "part_end":
            inFile = false;
            break;
          case "done":
            break;
        }
      }
    }
    parser.end();
    if (!received) throw new RequestError(400, "The multipart body has no `file` field");
    return received;
  } catch (error) {
    await received?.file.discard();
    if (error instanceof MultipartError) throw new RequestError(400, error.message);
    throw error;
  }
}
