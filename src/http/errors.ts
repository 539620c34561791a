import { RequestError } from "../server/errors.js";
import type { Logger } from "../server/logger.js";

/** Status and JSON body for an error raised before a response started. */
export function errorResponse(error: unknown, logger: Logger): { status: number; body: string } {
  if (error instanceof RequestError) {
    return { status: error.status, body: JSON.stringify({ error: error.message }) };
  }
  logger.error("Unhandled error while handling a ChatKit request", error);
  return { status: 500, body: JSON.stringify({ error: "Internal server error" }) };
}

export const methodNotAllowed = () => new RequestError(405, "Method not allowed: use POST");
export const bodyTooLarge = (limit: number) =>
  new RequestError(413, `Request body is larger than ${limit} bytes`);
