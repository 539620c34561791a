import { RequestError } from "../server/errors.js";
import type { Logger } from "../server/logger.js";
import { JSON_HEADERS } from "./options.js";

/** Status, headers and JSON body for an error raised before a response started. */
export function errorResponse(
  error: unknown,
  logger: Logger,
): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (!(error instanceof RequestError)) {
    logger.error("Unhandled error while handling a ChatKit request", error);
    return { status: 500, headers, body: JSON.stringify({ error: "Internal server error" }) };
  }
  if (error.status === 405) headers.Allow = "POST";
  // An oversized body was not read to its end; close rather than drain it.
  if (error.status === 413) headers.Connection = "close";
  return { status: error.status, headers, body: JSON.stringify({ error: error.message }) };
}

/** The client went away before the request was read: nobody to answer, nothing to report. */
export class ClientGoneError extends Error {
  override readonly name = "ClientGoneError";
}

/**
 * Whether `error` only means the client left: its body broke off, or `signal` (the client's
 * connection) aborted — e.g. while the request waited for its thread's lock.
 */
export const isClientGone = (error: unknown, signal: AbortSignal): boolean =>
  error instanceof ClientGoneError || signal.aborted;

export const methodNotAllowed = () => new RequestError(405, "Method not allowed: use POST");
export const bodyTooLarge = (limit: number) =>
  new RequestError(413, `Request body is larger than ${limit} bytes`);

/**
 * Refuses (415) a request body not declared `application/json`, whatever its parameters
 * (`; charset=utf-8`) or case; `header` is the `Content-Type` value, if any.
 */
export function checkJsonContentType(header: string | null | undefined): void {
  const mediaType = header?.split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new RequestError(415, `Content-Type must be application/json, not ${header || "(none)"}`);
  }
}
