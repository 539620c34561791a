import type { RunContext } from "@openai/agents";
import type { ThreadStreamEvent } from "../protocol/events.js";
import type { GeneratedImageItem, WorkflowItem } from "../protocol/items.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import type { WidgetRoot } from "../protocol/widget.js";
import type { Task, Workflow, WorkflowSummary } from "../protocol/workflow.js";
import type { StoreItemType } from "../store/ids.js";
import type { Store } from "../store/store.js";
import { streamWidget } from "../widgets/stream.js";
import { Channel } from "./channel.js";
import { finishWorkflow } from "../server/workflow-end.js";
import { now, snapshot } from "./snapshot.js";

/** A tool call the client runs. Set `AgentContext.clientToolCall` from a tool to request one. */
export interface ClientToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** Options of `new AgentContext(...)`. */
export interface AgentContextOptions<TContext> {
  /** The thread being answered. */
  thread: ThreadMetadata;
  store: Store<TContext>;
  /** The server's per-request context (`TContext` of `ChatKitServer`). */
  requestContext: TContext;
  previousResponseId?: string | null;
  clientToolCall?: ClientToolCall | null;
  workflowItem?: WorkflowItem | null;
}

const channels = new WeakMap<AgentContext<unknown>, Channel>();

/** @internal The side-channel FIFO of a context, shared with `streamAgentResponse`. */
export function channelOf(context: AgentContext<unknown>): Channel {
  const channel = channels.get(context);
  if (!channel) throw new TypeError("Not an AgentContext");
  return channel;
}

/**
 * The per-turn context of an agent run: pass it as `context` to `run()`, and to
 * `streamAgentResponse`. Tools reach it with `getAgentContext(runContext)` and use it to stream
 * ChatKit events into the same response (progress updates, client effects, widgets, workflow
 * tasks) and to request a client tool call.
 *
 * Once the response has finished or was cancelled, `stream()` and the helpers are silent no-ops,
 * because tools may still be running after a cancellation.
 */
export class AgentContext<TContext = unknown> {
  readonly thread: ThreadMetadata;
  readonly store: Store<TContext>;
  readonly requestContext: TContext;
  /** A free slot for the app (e.g. to chain Responses calls); the integration never reads it. */
  previousResponseId: string | null;
  /** Set by a tool to end the turn with a pending `client_tool_call` item. One per turn. */
  clientToolCall: ClientToolCall | null;
  /** The workflow currently open, if any. */
  workflowItem: WorkflowItem | null;
  /** The generated image currently streaming, if any. */
  generatedImageItem: GeneratedImageItem | null = null;

  constructor(options: AgentContextOptions<TContext>) {
    this.thread = options.thread;
    this.store = options.store;
    this.requestContext = options.requestContext;
    this.previousResponseId = options.previousResponseId ?? null;
    this.clientToolCall = options.clientToolCall ?? null;
    this.workflowItem = options.workflowItem ?? null;
    channels.set(this as AgentContext<unknown>, new Channel());
  }

  /** A new id from the store: a thread id for `"thread"`, else an item id in `thread` (default: this thread). */
  generateId(type: StoreItemType | "thread", thread?: ThreadMetadata): string {
    if (type === "thread") return this.store.generateThreadId(this.requestContext);
    return this.store.generateItemId(type, thread ?? this.thread, this.requestContext);
  }

  /** Queues any ChatKit event into the response, as a snapshot. Never blocks. */
  stream(event: ThreadStreamEvent): Promise<void> {
    channelOf(this as AgentContext<unknown>).push({ kind: "side", event: snapshot(event) });
    return Promise.resolve();
  }

  /**
   * Streams a widget into the response: a single root gives one `thread.item.done`; an async
   * sequence of roots gives `added`, diff updates, then `done`. Resolves when the sequence ends.
   */
  async streamWidget(widget: WidgetRoot | AsyncIterable<WidgetRoot>, copyText?: string): Promise<void> {
    const events = streamWidget(this.thread, widget, {
      ...(copyText === undefined ? {} : { copyText }),
      generateId: () => this.generateId("message"),
    });
    for await (const event of events) await this.stream(event);
  }

  /** @internal A new workflow item, made the open one (not announced). */
  openWorkflowItem(workflow: Workflow): WorkflowItem {
    const item: WorkflowItem = {
      type: "workflow",
      id: this.generateId("workflow"),
      thread_id: this.thread.id,
      created_at: now(),
      workflow,
    };
    this.workflowItem = item;
    return item;
  }

  /**
   * Opens a workflow (a visible task list). A `custom` workflow without tasks is announced with
   * its first task. An already open workflow is replaced without being ended (Python parity).
   */
  async startWorkflow(workflow: Workflow): Promise<void> {
    const item = this.openWorkflowItem(snapshot(workflow));
    if (workflow.type !== "reasoning" && workflow.tasks.length === 0) return;
    await this.stream({ type: "thread.item.added", item });
  }

  /** Appends a task to the open workflow, opening a `custom` one when none is. */
  async addWorkflowTask(task: Task): Promise<void> {
    const item = this.workflowItem ?? this.openWorkflowItem({ type: "custom", tasks: [], expanded: false });
    const { workflow } = item;
    workflow.tasks.push(snapshot(task));
    if (workflow.type !== "reasoning" && workflow.tasks.length === 1) {
      await this.stream({ type: "thread.item.added", item });
    } else {
      // The position of the new task ([ts] Q6: Python looks up the first equal task).
      await this.stream({
        type: "thread.item.updated",
        item_id: item.id,
        update: { type: "workflow.task.added", task, task_index: workflow.tasks.length - 1 },
      });
    }
  }

  /** Replaces the task at `taskIndex` of the open workflow. Throws when no workflow is open. */
  async updateWorkflowTask(task: Task, taskIndex: number): Promise<void> {
    const item = this.workflowItem;
    if (!item) throw new Error("updateWorkflowTask: no workflow is open");
    item.workflow.tasks[taskIndex] = snapshot(task);
    await this.stream({
      type: "thread.item.updated",
      item_id: item.id,
      update: { type: "workflow.task.updated", task, task_index: taskIndex },
    });
  }

  /**
   * Ends the open workflow with `summary` (default: its duration, unless it has a summary) and
   * `expanded` (default false). Does nothing when no workflow is open.
   */
  async endWorkflow(options: { summary?: WorkflowSummary; expanded?: boolean } = {}): Promise<void> {
    const item = this.workflowItem;
    if (!item) return;
    finishWorkflow(item, options.summary, options.expanded ?? false);
    endedWorkflows(this as AgentContext<unknown>).add(item.id);
    await this.stream({ type: "thread.item.done", item });
    this.workflowItem = null;
  }

  /**
   * Keeps `RunState` serialization small and free of the store and request context
   * (the Agents SDK embeds the run context in `RunState.toJSON()`).
   */
  toJSON(): { thread_id: string; previous_response_id: string | null } {
    return { thread_id: this.thread.id, previous_response_id: this.previousResponseId };
  }
}

const ended = new WeakMap<AgentContext<unknown>, Set<string>>();

/**
 * @internal Ids of workflows already ended in this turn. A queued `thread.item.added` snapshot of
 * such a workflow must not reopen it when the consumer reaches it.
 */
export function endedWorkflows(context: AgentContext<unknown>): Set<string> {
  let ids = ended.get(context);
  if (!ids) ended.set(context, (ids = new Set()));
  return ids;
}

/**
 * The `AgentContext` of a run, for tools: `getAgentContext(runContext)` in `execute`.
 * Throws when the run was not started with an `AgentContext` as its `context`.
 */
export function getAgentContext<TContext = unknown>(
  runContext: RunContext<AgentContext<TContext>> | RunContext<unknown> | undefined,
): AgentContext<TContext> {
  const context: unknown = runContext?.context;
  if (!(context instanceof AgentContext)) {
    throw new TypeError(
      "getAgentContext: the run has no AgentContext; pass `context: new AgentContext(...)` to run()",
    );
  }
  return context as AgentContext<TContext>;
}
