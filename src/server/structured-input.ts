import type { StructuredInputItem } from "../protocol/items.js";
import type { StructuredInputSubmission } from "../protocol/requests.js";

/**
 * The structured-input item with the user's answers applied (protocol.md §2.4): an unanswered,
 * skipped or empty answer marks its question skipped; a single-choice answer keeps its first
 * value; unknown answer ids are ignored; values are not checked against the options.
 */
export function answerStructuredInput(
  item: StructuredInputItem,
  submission: StructuredInputSubmission,
): StructuredInputItem {
  const inputs = item.inputs.map((input) => {
    const answer = submission.answers[input.id];
    if (submission.status === "skipped" || !answer || answer.skipped || answer.values.length === 0) {
      return { ...input, answer: { values: [], skipped: true } };
    }
    const single = input.type === "multiple_choice" && !input.multiple;
    return { ...input, answer: { values: single ? answer.values.slice(0, 1) : [...answer.values], skipped: false } };
  });
  return { ...structuredClone(item), inputs, status: submission.status };
}
