import { ThreadStreamEventSchema, type ThreadStreamEvent } from "../protocol/events.js";
import { textProblem } from "../protocol/text.js";
import { ThreadMetadataSchema, type ThreadMetadata } from "../protocol/thread.js";
import { describeIssue } from "./describe-issue.js";

/**
 * Something `respond` or `action` produced that the protocol does not allow: an invalid or
 * unknown event, an update of an item that is not there, an invalid edit of the thread. It never
 * reaches the store or the client; the stream ends with an `error` event, and the log names the
 * field.
 */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
}

const MAX_ISSUES = 3;

function invalid(what: string, issues: readonly Parameters<typeof describeIssue>[0][]): InvalidEventError {
  const described = issues.slice(0, MAX_ISSUES).map(describeIssue).join("; ");
  return new InvalidEventError(`${what}: ${described}`);
}

/**
 * A text delta, checked by hand: most events of a stream are these, and the full schema costs
 * several times more. Accepts exactly what the schema accepts (the text rule included); anything
 * else takes the schema, which names the problem. Unknown keys are never sent: the SSE encoder
 * writes a text delta's known fields only.
 */
function isTextDelta(event: unknown): event is ThreadStreamEvent {
  if (typeof event !== "object" || event === null) return false;
  const { type, item_id, update } = event as { type?: unknown; item_id?: unknown; update?: unknown };
  if (type !== "thread.item.updated" || typeof item_id !== "string" || typeof update !== "object" || update === null) {
    return false;
  }
  const { content_index, delta } = update as { type?: unknown; content_index?: unknown; delta?: unknown };
  return (
    (update as { type?: unknown }).type === "assistant_message.content_part.text_delta" &&
    typeof delta === "string" &&
    Number.isInteger(content_index) &&
    (content_index as number) >= 0 &&
    textProblem(delta) === undefined &&
    textProblem(item_id) === undefined
  );
}

/**
 * The event as the protocol defines it — defaults filled in, `null` in optional fields dropped,
 * unknown keys stripped — or an `InvalidEventError` naming the bad fields.
 */
export function validateEvent(event: unknown): ThreadStreamEvent {
  if (isTextDelta(event)) return event;
  const parsed = ThreadStreamEventSchema.safeParse(event);
  if (!parsed.success) throw invalid("Invalid event from the response handler", parsed.error.issues);
  return parsed.data;
}

/** The thread as edited by the handler, validated the same way before it is saved and announced. */
export function validateThread(thread: ThreadMetadata): ThreadMetadata {
  const parsed = ThreadMetadataSchema.safeParse(thread);
  if (!parsed.success) throw invalid("Invalid edit of the thread by the response handler", parsed.error.issues);
  return parsed.data;
}
