import { findTextIssue, textProblem } from "../protocol/text.js";

/**
 * Throws a `TypeError` naming the field when `record` breaks the text rule (a NUL or a lone
 * surrogate in any string or key). The shipped stores call it before writing, so all of them
 * refuse the same records, PostgreSQL's limits included, and none is half written.
 */
export function assertStorable(kind: "Thread" | "Item" | "Attachment", record: { id: string }): void {
  const issue = findTextIssue(record);
  if (!issue) return;
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(record)";
  throw new TypeError(`${kind} ${JSON.stringify(record.id)} cannot be stored: ${field}: ${issue.message}`);
}

/**
 * Whether `id` can name a stored record. One that breaks the text rule never does, so stores
 * treat it as missing without asking the database (which may fail on it, or match another id).
 */
export const isStorableId = (id: string): boolean => textProblem(id) === undefined;
