import type { WorkflowItem } from "../protocol/items.js";
import type { WorkflowSummary } from "../protocol/workflow.js";

/** Whole seconds since `createdAt`, truncated toward zero (as Python's `int()`). */
export function secondsSince(createdAt: string): number {
  const started = Date.parse(createdAt);
  if (Number.isNaN(started)) return 0;
  return Math.max(0, Math.trunc((Date.now() - started) / 1000));
}

/**
 * Ends a workflow as a normal end does: `summary` (default: how long it took, unless it already
 * has a summary) and `expanded`. Mutates `item`.
 */
export function finishWorkflow(item: WorkflowItem, summary: WorkflowSummary | undefined, expanded: boolean): void {
  if (summary !== undefined) item.workflow.summary = structuredClone(summary);
  else if (item.workflow.summary === undefined) item.workflow.summary = { duration: secondsSince(item.created_at) };
  item.workflow.expanded = expanded;
}

/**
 * A workflow kept from a turn that stopped early, settled so that a reload never shows an endless
 * spinner: tasks still loading lose their indicator (they did not complete), and the workflow is
 * ended as a normal end would. A new item; `item` is left as it was.
 */
export function settleWorkflow(item: WorkflowItem): WorkflowItem {
  const tasks = item.workflow.tasks.map((task) =>
    task.status_indicator === "loading" ? { ...task, status_indicator: "none" as const } : task,
  );
  const settled: WorkflowItem = { ...item, workflow: { ...item.workflow, tasks } };
  finishWorkflow(settled, undefined, false);
  return settled;
}
