import { jsonEqual } from "../protocol/json-equal.js";
import type { WidgetRootUpdated, WidgetStreamingTextValueDelta } from "../protocol/updates.js";
import type { WidgetNodeLike, WidgetRoot } from "../protocol/widget.js";
import { isNode } from "./apply.js";

type Node = WidgetNodeLike;

/** What `diffWidget` emits: text deltas, or one full replace. */
export type WidgetDiffUpdate = WidgetStreamingTextValueDelta | WidgetRootUpdated;

/** A Text or Markdown whose `value` is a string: its value may grow by deltas. */
type StreamingText = Node & { type: "Text" | "Markdown"; value: string };
const isStreamingText = (node: Node): node is StreamingText =>
  (node.type === "Text" || node.type === "Markdown") && typeof node.value === "string";

/** A truthy string id, the only kind a delta can address. */
const addressOf = (node: Node): string | undefined =>
  typeof node.id === "string" && node.id !== "" ? node.id : undefined;

/** `null` and absent are the same prop (Python strips nulls before comparing). */
const isAbsent = (value: unknown) => value === null || value === undefined;

/**
 * Whether `after` cannot be reached from `before` by text deltas alone (widgets.md §3.2 step 1).
 * Unlike Python, growing text is exempt only when the node has an id (Q1): without one no delta
 * could carry the growth, and Python would silently send nothing.
 */
function needsReplace(before: Node, after: Node): boolean {
  for (const prop of ["type", "id", "key"] as const) {
    if (!(isAbsent(before[prop]) && isAbsent(after[prop])) && before[prop] !== after[prop]) return true;
  }
  const props = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const prop of props) {
    if (prop === "type" || prop === "id" || prop === "key") continue;
    const b = before[prop];
    const a = after[prop];
    if (isAbsent(b) && isAbsent(a)) continue;
    if (
      prop === "value" &&
      isStreamingText(before) &&
      isStreamingText(after) &&
      addressOf(after) !== undefined &&
      after.value.startsWith(before.value)
    ) {
      continue;
    }
    if (prop === "children" ? childrenDiffer(b, a) : !propEqual(b, a)) return true;
  }
  return false;
}

/** Components are compared with `needsReplace`; anything else must be equal as JSON. */
function childrenDiffer(before: unknown, after: unknown): boolean {
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length) return true;
    return before.some((b: unknown, i) => childDiffers(b, after[i]));
  }
  return childDiffers(before, after);
}

const childDiffers = (before: unknown, after: unknown): boolean =>
  isNode(before) && isNode(after) ? needsReplace(before, after) : !propEqual(before, after);

/** JSON equality where a `null` object member equals an absent one, as after Python's null stripping. */
function propEqual(a: unknown, b: unknown): boolean {
  if (isAbsent(a) && isAbsent(b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return jsonEqual(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x: unknown, i) => propEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (!propEqual(ra[key], rb[key])) return false;
  }
  return true;
}

/**
 * The addressed nodes below the root, pre-order, descending into `children` whether it is an
 * array or one node (Q2: Python skipped single children such as a Transition's). Returns
 * `undefined` when an id is used twice and one of its nodes is streaming text (Q3): a delta goes
 * to the first node with its id, so it could land on the wrong node.
 */
function streamingTextById(root: Node): Map<string, StreamingText> | undefined {
  const texts = new Map<string, StreamingText>();
  const seen = new Set<string>();
  let clash = false;
  const visit = (node: Node) => {
    const id = addressOf(node);
    if (id !== undefined) {
      if (seen.has(id) && (texts.has(id) || isStreamingText(node))) clash = true;
      if (!seen.has(id) && isStreamingText(node)) texts.set(id, node);
      seen.add(id);
    }
    walkChildren(node, visit);
  };
  walkChildren(root, visit);
  return clash ? undefined : texts;
}

function walkChildren(node: Node, visit: (child: Node) => void): void {
  const children = node.children;
  if (Array.isArray(children)) for (const child of children) isNode(child) && visit(child);
  else if (isNode(children)) visit(children);
}

/**
 * The updates that turn the widget `before` into `after` (widgets.md §3.2 with the fixes of §3.3):
 * `widget.streaming_text.value_delta`s when the only change is text growing in Text or Markdown
 * nodes that have an id, else one `widget.root.updated` carrying `after`. Empty when nothing
 * changed. A delta's `done` is true when the node is not marked `streaming: true`.
 *
 * Applying the result to `before` (see `applyWidgetUpdate`) gives a tree equal to `after`.
 */
export function diffWidget(before: WidgetRoot, after: WidgetRoot): WidgetDiffUpdate[] {
  const b = before as unknown as Node;
  const a = after as unknown as Node;
  const replace: WidgetDiffUpdate[] = [{ type: "widget.root.updated", widget: after }];
  if (needsReplace(b, a)) return replace;

  const beforeTexts = streamingTextById(b);
  const afterTexts = streamingTextById(a);
  if (!beforeTexts || !afterTexts) return replace;

  const deltas: WidgetDiffUpdate[] = [];
  for (const [id, node] of afterTexts) {
    const previous = beforeTexts.get(id);
    // Both checks are assertions: step 1 already turns such changes into a replace.
    if (!previous) {
      throw new Error(
        `Node ${id} was not present when the widget was initially rendered. All nodes with ID must persist across all widget updates.`,
      );
    }
    if (node.value === previous.value) continue;
    if (!node.value.startsWith(previous.value)) {
      throw new Error(
        `Node ${id} was updated with a new value that is not a prefix of the initial value. All widget updates must be cumulative.`,
      );
    }
    deltas.push({
      type: "widget.streaming_text.value_delta",
      component_id: id,
      delta: node.value.slice(previous.value.length),
      done: node.streaming !== true,
    });
  }
  return deltas;
}
