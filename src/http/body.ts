import type { IncomingMessage } from "node:http";
import { bodyTooLarge, ClientGoneError } from "./errors.js";

function declaredLength(value: string | null | undefined, limit: number): void {
  if (value && Number(value) > limit) throw bodyTooLarge(limit);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Reads at most `limit` bytes of chunks; throws 413 beyond. A body that breaks off (the client
 * disconnected) throws `ClientGoneError`.
 */
async function collect(source: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > limit) throw bodyTooLarge(limit);
      chunks.push(chunk);
    }
  } catch (error) {
    if (size > limit) throw error;
    throw new ClientGoneError("The request body broke off", { cause: error });
  }
  return concat(chunks, size);
}

/** The body of a Web `Request`, refusing more than `limit` bytes. */
export async function readRequestBody(request: Request, limit: number): Promise<Uint8Array> {
  declaredLength(request.headers.get("content-length"), limit);
  if (!request.body) return new Uint8Array();
  return collect(request.body as unknown as AsyncIterable<Uint8Array>, limit);
}

/**
 * The body of a node:http request, refusing more than `limit` bytes. A body a framework already
 * parsed (`req.body`, as Express middleware leaves it) is used as it is.
 */
export async function readNodeBody(request: IncomingMessage, limit: number): Promise<string | Uint8Array> {
  const parsed = (request as IncomingMessage & { body?: unknown }).body;
  if (typeof parsed === "string" || parsed instanceof Uint8Array) return parsed;
  if (parsed !== undefined && parsed !== null && typeof parsed === "object") return JSON.stringify(parsed);
  declaredLength(request.headers["content-length"], limit);
  return collect(request, limit);
}
