import type { z } from "zod";
import { DEFAULT_JSON_LIMITS, jsonLimitProblem, type JsonLimits } from "../protocol/json-limits.js";
import { ChatKitRequestSchema, type ChatKitRequest } from "../protocol/requests.js";
import { describeIssue } from "./describe-issue.js";
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

/** Names the first bad field, e.g. `Invalid request: params.input.content: Invalid input: expected array`. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `Invalid request: ${describeIssue(issue)}` : "Invalid request";
}

/** The free-form JSON values of a request, with their paths: what `JsonLimits` bound. */
function* freeFormValues(request: ChatKitRequest): Generator<[path: string, value: unknown]> {
  yield ["metadata", request.metadata];
  switch (request.type) {
    case "threads.create":
    case "threads.add_user_message":
      for (const [index, part] of request.params.input.content.entries()) {
        if (part.type === "input_tag") yield [`params.input.content.${index}.data`, part.data];
      }
      break;
    case "threads.add_client_tool_output":
      yield ["params.result", request.params.result];
      break;
    case "threads.add_structured_input":
      yield ["params.input.answers", request.params.input.answers];
      break;
    case "threads.custom_action":
    case "threads.sync_custom_action":
      yield ["params.action.payload", request.params.action.payload];
      break;
  }
}

/**
 * Parses and validates a request body; a `RequestError` (400) names what is wrong: invalid
 * UTF-8 or JSON, a field that breaks the schema or the text rule, free-form JSON beyond `limits`.
 */
export function parseRequest(body: string | Uint8Array, limits: JsonLimits = DEFAULT_JSON_LIMITS): ChatKitRequest {
  const text = typeof body === "string" ? body : decode(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, `Invalid JSON: ${(error as Error).message}`);
  }
  const parsed = ChatKitRequestSchema.safeParse(json);
  if (!parsed.success) throw new RequestError(400, describe(parsed.error));
  for (const [path, value] of freeFormValues(parsed.data)) {
    const problem = jsonLimitProblem(value, limits);
    if (problem) throw new RequestError(400, `Invalid request: ${path}: ${problem}`);
  }
  return parsed.data;
}
