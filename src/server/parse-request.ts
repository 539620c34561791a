import type { z } from "zod";
import { ChatKitRequestSchema, type ChatKitRequest } from "../protocol/requests.js";
import { RequestError } from "./errors.js";

// Fatal: invalid UTF-8 is refused, never silently replaced by U+FFFD.
const decoder = new TextDecoder("utf-8", { fatal: true });

function decode(body: Uint8Array): string {
  try {
    return decoder.decode(body);
  } catch {
    throw new RequestError(400, "Invalid request: the body is not valid UTF-8");
  }
}

/** Names the first bad field, e.g. `params.input.content: Invalid input: expected array`. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const path = issue.path.map(String).join(".");
  return path ? `Invalid request: ${path}: ${issue.message}` : `Invalid request: ${issue.message}`;
}

/** Parses and validates a request body; a `RequestError` (400) names what is wrong. */
export function parseRequest(body: string | Uint8Array): ChatKitRequest {
  const text = typeof body === "string" ? body : decode(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, `Invalid JSON: ${(error as Error).message}`);
  }
  const parsed = ChatKitRequestSchema.safeParse(json);
  if (!parsed.success) throw new RequestError(400, describe(parsed.error));
  return parsed.data;
}
