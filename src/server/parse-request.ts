import type { z } from "zod";
import { ChatKitRequestSchema, type ChatKitRequest } from "../protocol/requests.js";
import { describeIssue } from "./describe-issue.js";
import { RequestError } from "./errors.js";

const decoder = new TextDecoder();

/** Names the first bad field, e.g. `Invalid request: params.input.content: Invalid input: expected array`. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `Invalid request: ${describeIssue(issue)}` : "Invalid request";
}

/** Parses and validates a request body; a `RequestError` (400) names what is wrong. */
export function parseRequest(body: string | Uint8Array): ChatKitRequest {
  const text = typeof body === "string" ? body : decoder.decode(body);
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
