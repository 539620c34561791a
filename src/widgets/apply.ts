import type { WidgetComponentUpdated, WidgetRootUpdated, WidgetStreamingTextValueDelta } from "../protocol/updates.js";
import type { WidgetNodeLike, WidgetRoot } from "../protocol/widget.js";

/** The three updates that change a widget item. */
export type WidgetUpdate = WidgetStreamingTextValueDelta | WidgetComponentUpdated | WidgetRootUpdated;

// Stored widgets may hold components our types do not know, so the walks read nodes loosely.
type Node = WidgetNodeLike;

/** @internal Whether `value` is a widget node (an object with a string `type`). */
export const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";

/**
 * Finds the first node below `root` (pre-order, through array or single `children`) whose id is
 * `id`, and hands its parent slot to `visit`. The root itself never matches (widgets.md §3.5).
 */
function findSlot(
  root: Node,
  id: string,
  visit: (parent: Node, index: number | undefined, node: Node) => void,
): boolean {
  const children = root.children;
  if (Array.isArray(children)) {
    for (let i = 0; i < children.length; i++) {
      const child: unknown = children[i];
      if (!isNode(child)) continue;
      if (child.id === id) {
        visit(root, i, child);
        return true;
      }
      if (findSlot(child, id, visit)) return true;
    }
  } else if (isNode(children)) {
    if (children.id === id) {
      visit(root, undefined, children);
      return true;
    }
    return findSlot(children, id, visit);
  }
  return false;
}

/**
 * Applies a widget update to `root`, mutating it in place, and returns the resulting root (a new
 * object for `widget.root.updated`). An update whose target is missing, or whose text node has no
 * string `value`, changes nothing: a stale update must never fail a stream. Other update types
 * leave the root as it is.
 */
export function applyWidgetUpdate(root: WidgetRoot, update: WidgetUpdate): WidgetRoot {
  const tree = root as unknown as Node;
  switch (update.type) {
    case "widget.root.updated":
      return structuredClone(update.widget);
    case "widget.streaming_text.value_delta":
      findSlot(tree, update.component_id, (_parent, _index, node) => {
        if (typeof node.value === "string") node.value += update.delta;
      });
      return root;
    case "widget.component.updated":
      findSlot(tree, update.component_id, (parent, index) => {
        const replacement = structuredClone(update.component);
        if (index === undefined) parent.children = replacement;
        else (parent.children as unknown[])[index] = replacement;
      });
      return root;
    default:
      // Not reachable through the types; the wire may still bring an update type added later.
      return root;
  }
}

/** Clears `streaming: true` on every Text and Markdown node, so a kept partial widget does not look live. */
export function settleStreamingText(root: WidgetRoot): WidgetRoot {
  const visit = (node: Node) => {
    if ((node.type === "Text" || node.type === "Markdown") && node.streaming === true) node.streaming = false;
    const children = node.children;
    if (Array.isArray(children)) for (const child of children) isNode(child) && visit(child);
    else if (isNode(children)) visit(children);
  };
  visit(root as unknown as Node);
  return root;
}

/** Whether `update` is one of the widget updates. */
export const isWidgetUpdate = (update: { type: string }): update is WidgetUpdate =>
  update.type === "widget.root.updated" ||
  update.type === "widget.component.updated" ||
  update.type === "widget.streaming_text.value_delta";
