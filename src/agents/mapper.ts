import type { RunStreamEvent } from "@openai/agents";
import type { AssistantMessageContent } from "../protocol/content.js";
import type { ThreadStreamEvent } from "../protocol/events.js";
import type { AssistantMessageItem, GeneratedImageItem, WorkflowItem } from "../protocol/items.js";
import type { ThreadItemUpdate } from "../protocol/updates.js";
import type { ThoughtTask } from "../protocol/workflow.js";
import { finishWorkflow } from "../server/workflow-end.js";
import { type AgentContext, endedWorkflows } from "./context.js";
import { convertAnnotation, type ResponseStreamConverter } from "./response-stream-converter.js";
import { now, snapshot } from "./snapshot.js";

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const optStr = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number => (typeof value === "number" ? value : 0);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * A raw Responses event re-emitted by the model (`data.type === 'model'`). Responses models tag
 * it with `source: 'openai-responses'`; [ts] a custom model that sets no source but emits
 * `response.*` events counts too.
 */
function responsesEventOf(event: RunStreamEvent): Json | undefined {
  if (event.type !== "raw_model_stream_event" || event.data.type !== "model") return undefined;
  const raw: unknown = (event.data as { event?: unknown }).event;
  if (!isRecord(raw) || typeof raw.type !== "string") return undefined;
  if (event.source === "openai-responses") return raw;
  if (event.source === undefined && raw.type.startsWith("response.")) return raw;
  return undefined;
}

/**
 * @internal The per-call state of `streamAgentResponse` and the translation of one merged entry
 * (a side-channel event or a run event) into ChatKit events, which are snapshots.
 */
export class ResponseMapper<TContext> {
  /** Ids of items this response introduced; removed when a guardrail trips. First-produced order. */
  readonly producedItems = new Set<string>();
  /** The last function call seen (`callId`, item `id`); they become the client tool call's ids. */
  currentToolCall: string | undefined;
  currentItemId: string | undefined;

  readonly #context: AgentContext<TContext>;
  readonly #converter: ResponseStreamConverter;
  #streamingThought: { itemId: string; summaryIndex: number; task: ThoughtTask } | undefined;
  readonly #annotationCounts = new Map<string, number>();
  /** `created_at` of each assistant message at `added`, reused at `done` ([ts] Q2). */
  readonly #createdAt = new Map<string, string>();
  /** Whether the current model response streamed Responses events (else: fallback, §2.4). */
  #responsesSeen = false;
  #fallback: { id: string; createdAt: string; text: string } | undefined;

  constructor(context: AgentContext<TContext>, converter: ResponseStreamConverter) {
    this.#context = context;
    this.#converter = converter;
  }

  /** A side-channel event from the context (agents.md §1.4.3). */
  side(event: ThreadStreamEvent): ThreadStreamEvent[] {
    const out: ThreadStreamEvent[] = [];
    if (event.type === "thread.item.added" || event.type === "thread.item.done") {
      const { item } = event;
      const open = this.#context.workflowItem;
      // Any other visible item closes the open workflow (sdk_hidden_context too: Python's Q7).
      if (open && open.id !== item.id && item.type !== "client_tool_call" && item.type !== "hidden_context_item") {
        out.push(this.#autoEnd(open));
      }
      if (item.type === "workflow") {
        const current = this.#context.workflowItem;
        if (event.type === "thread.item.added") {
          // The event is a snapshot: adopt a copy only for a workflow the context does not hold
          // already (else queued tasks would be lost) and that was not ended meanwhile.
          if ((!current || current.id !== item.id) && !endedWorkflows(this.#ctx).has(item.id)) {
            this.#context.workflowItem = snapshot(item);
          }
        } else if (current?.id === item.id) {
          this.#context.workflowItem = null; // [ts] a workflow streamed as done is no longer open
        }
      }
      this.producedItems.add(item.id);
    }
    out.push(event);
    return out;
  }

  /** A run event (agents.md §2.2). */
  async run(event: RunStreamEvent): Promise<ThreadStreamEvent[]> {
    if (event.type === "run_item_stream_event") {
      if (event.item.type === "tool_call_item") this.#toolCall(event.item.rawItem);
      return [];
    }
    if (event.type !== "raw_model_stream_event") return [];
    const { data } = event;
    switch (data.type) {
      case "response_started":
        this.#responsesSeen = false;
        return [];
      case "model": {
        const raw = responsesEventOf(event);
        if (!raw) return [];
        this.#responsesSeen = true;
        return this.#responses(raw);
      }
      case "output_text_delta":
        // With a Responses model this duplicates the raw `response.output_text.delta`.
        if (this.#responsesSeen) return [];
        return this.#fallbackDelta(optStr((data as Json).itemId), str((data as Json).delta));
      case "response_done": {
        const out = this.#responsesSeen ? [] : await this.#fallbackDone((data as Json).response);
        this.#responsesSeen = false;
        return out;
      }
      default:
        return [];
    }
  }

  /** `thread.item.removed` for every produced item, after a guardrail tripwire. */
  removals(): ThreadStreamEvent[] {
    return [...this.producedItems].map((item_id) => ({ type: "thread.item.removed", item_id }));
  }

  get #ctx(): AgentContext<unknown> {
    return this.#context as AgentContext<unknown>;
  }

  #toolCall(rawItem: unknown): void {
    if (isRecord(rawItem) && rawItem.type === "function_call") {
      this.currentToolCall = optStr(rawItem.callId);
      this.currentItemId = optStr(rawItem.id); // [ts] Q14: no id → generated at the end
      if (this.currentToolCall && this.currentItemId) this.producedItems.add(this.currentItemId);
    } else {
      // A hosted tool call after a function call: the function call no longer ends the turn (1.6.5).
      this.currentToolCall = undefined;
      this.currentItemId = undefined;
    }
  }

  /** Ends workflow `item` because another visible item arrives: duration summary, collapsed. */
  #autoEnd(item: WorkflowItem): ThreadStreamEvent {
    if (this.#context.workflowItem === item) this.#context.workflowItem = null;
    finishWorkflow(item, undefined, false);
    endedWorkflows(this.#ctx).add(item.id);
    return { type: "thread.item.done", item: snapshot(item) };
  }

  #updated(itemId: string, update: ThreadItemUpdate): ThreadStreamEvent {
    return { type: "thread.item.updated", item_id: itemId, update: snapshot(update) };
  }

  async #responses(r: Json): Promise<ThreadStreamEvent[]> {
    const context = this.#context;
    switch (r.type) {
      case "response.content_part.added": {
        if (!isRecord(r.part) || r.part.type === "reasoning_text") return [];
        return [
          this.#updated(str(r.item_id), {
            type: "assistant_message.content_part.added",
            content_index: num(r.content_index),
            content: await this.#content(r.part),
          }),
        ];
      }
      case "response.output_text.delta":
        return [
          this.#updated(str(r.item_id), {
            type: "assistant_message.content_part.text_delta",
            content_index: num(r.content_index),
            delta: str(r.delta),
          }),
        ];
      case "response.output_text.done":
        // Annotations are sent empty here, as Python does (Q3); `item.done` carries them.
        return [
          this.#updated(str(r.item_id), {
            type: "assistant_message.content_part.done",
            content_index: num(r.content_index),
            content: { type: "output_text", text: str(r.text), annotations: [] },
          }),
        ];
      case "response.output_text.annotation.added": {
        const annotation = await convertAnnotation(this.#converter, r.annotation);
        if (!annotation) return [];
        const itemId = str(r.item_id);
        const contentIndex = num(r.content_index);
        // Our own counter, so dropped annotations leave no gap in the client's list.
        const key = `${itemId}\u0000${contentIndex}`;
        const annotationIndex = this.#annotationCounts.get(key) ?? 0;
        this.#annotationCounts.set(key, annotationIndex + 1);
        return [
          this.#updated(itemId, {
            type: "assistant_message.content_part.annotation_added",
            content_index: contentIndex,
            annotation_index: annotationIndex,
            annotation,
          }),
        ];
      }
      case "response.output_item.added":
        return this.#itemAdded(isRecord(r.item) ? r.item : {});
      case "response.output_item.done":
        return this.#itemDone(isRecord(r.item) ? r.item : {});
      case "response.image_generation_call.partial_image": {
        const image = context.generatedImageItem;
        if (!image) return [];
        const index = num(r.partial_image_index);
        const url = await this.#converter.base64ImageToUrl(str(r.item_id), str(r.partial_image_b64), index);
        image.image = { id: str(r.item_id), url };
        return [
          this.#updated(image.id, {
            type: "generated_image.updated",
            image: image.image,
            progress: this.#converter.partialImageIndexToProgress(index),
          }),
        ];
      }
      case "response.reasoning_summary_text.delta":
        return this.#thoughtDelta(str(r.item_id), num(r.summary_index), str(r.delta));
      case "response.reasoning_summary_text.done":
        return this.#thoughtDone(str(r.item_id), num(r.summary_index), str(r.text));
      default:
        return [];
    }
  }

  async #itemAdded(item: Json): Promise<ThreadStreamEvent[]> {
    const context = this.#context;
    switch (item.type) {
      case "reasoning": {
        // Thoughts join the open workflow, even a custom one.
        if (context.workflowItem) return [];
        const workflow = context.openWorkflowItem({ type: "reasoning", tasks: [], expanded: false });
        this.producedItems.add(workflow.id);
        return [{ type: "thread.item.added", item: snapshot(workflow) }];
      }
      case "message": {
        const out: ThreadStreamEvent[] = [];
        if (context.workflowItem) out.push(this.#autoEnd(context.workflowItem));
        const id = str(item.id);
        const createdAt = now();
        this.#createdAt.set(id, createdAt);
        this.producedItems.add(id);
        out.push({ type: "thread.item.added", item: this.#assistant(id, createdAt, await this.#contents(item.content)) });
        return out;
      }
      case "image_generation_call": {
        const image: GeneratedImageItem = {
          type: "generated_image",
          id: context.generateId("message"),
          thread_id: context.thread.id,
          created_at: now(),
        };
        this.producedItems.add(image.id);
        context.generatedImageItem = image; // one image at a time (Q8)
        return [{ type: "thread.item.added", item: snapshot(image) }];
      }
      default:
        return [];
    }
  }

  async #itemDone(item: Json): Promise<ThreadStreamEvent[]> {
    const context = this.#context;
    switch (item.type) {
      case "message": {
        const id = str(item.id);
        this.producedItems.add(id);
        const createdAt = this.#createdAt.get(id) ?? now();
        return [{ type: "thread.item.done", item: this.#assistant(id, createdAt, await this.#contents(item.content)) }];
      }
      case "image_generation_call": {
        const image = context.generatedImageItem;
        const result = str(item.result);
        if (!image || !result) return [];
        const url = await this.#converter.base64ImageToUrl(str(item.id), result, undefined);
        image.image = { id: str(item.id), url };
        context.generatedImageItem = null;
        return [{ type: "thread.item.done", item: snapshot(image) }];
      }
      default:
        return []; // reasoning done does not close the workflow
    }
  }

  #thoughtDelta(itemId: string, summaryIndex: number, delta: string): ThreadStreamEvent[] {
    const workflow = this.#context.workflowItem;
    if (!workflow) return [];
    const { tasks } = workflow.workflow;
    if (workflow.workflow.type === "reasoning" && tasks.length === 0) {
      // Only the first thought of a workflow streams; later ones arrive whole at `done`.
      const task: ThoughtTask = { type: "thought", content: delta, status_indicator: "none" };
      this.#streamingThought = { itemId, summaryIndex, task };
      tasks.push(task);
      return [this.#updated(workflow.id, { type: "workflow.task.added", task, task_index: 0 })];
    }
    const index = this.#streamedThoughtIndex(itemId, summaryIndex);
    if (index === -1) return [];
    const { task } = this.#streamingThought!;
    task.content += delta;
    return [this.#updated(workflow.id, { type: "workflow.task.updated", task, task_index: index })];
  }

  #thoughtDone(itemId: string, summaryIndex: number, text: string): ThreadStreamEvent[] {
    const workflow = this.#context.workflowItem;
    if (!workflow) return [];
    const index = this.#streamedThoughtIndex(itemId, summaryIndex);
    if (index !== -1) {
      const { task } = this.#streamingThought!;
      task.content = text;
      this.#streamingThought = undefined;
      return [this.#updated(workflow.id, { type: "workflow.task.updated", task, task_index: index })];
    }
    const task: ThoughtTask = { type: "thought", content: text, status_indicator: "none" };
    workflow.workflow.tasks.push(task);
    return [
      this.#updated(workflow.id, {
        type: "workflow.task.added",
        task,
        task_index: workflow.workflow.tasks.length - 1,
      }),
    ];
  }

  /** The index of the streaming thought in the open workflow, if this delta/done belongs to it. */
  #streamedThoughtIndex(itemId: string, summaryIndex: number): number {
    const streaming = this.#streamingThought;
    const workflow = this.#context.workflowItem;
    if (!streaming || !workflow) return -1;
    if (streaming.itemId !== itemId || streaming.summaryIndex !== summaryIndex) return -1;
    return workflow.workflow.tasks.indexOf(streaming.task);
  }

  #assistant(id: string, createdAt: string, content: AssistantMessageContent[]): AssistantMessageItem {
    return { type: "assistant_message", id, thread_id: this.#context.thread.id, created_at: createdAt, content };
  }

  async #contents(parts: unknown): Promise<AssistantMessageContent[]> {
    const out: AssistantMessageContent[] = [];
    for (const part of list(parts)) if (isRecord(part)) out.push(await this.#content(part));
    return out;
  }

  /** A Responses content part: `output_text` with its annotations; anything else as a refusal. */
  async #content(part: Json): Promise<AssistantMessageContent> {
    if (part.type === "output_text") {
      return { type: "output_text", text: str(part.text), annotations: await this.#annotations(part.annotations) };
    }
    return { type: "output_text", text: str(part.refusal), annotations: [] };
  }

  async #annotations(raw: unknown): Promise<AssistantMessageContent["annotations"]> {
    const out: AssistantMessageContent["annotations"] = [];
    for (const annotation of list(raw)) {
      const converted = await convertAnnotation(this.#converter, annotation);
      if (converted) out.push(converted);
    }
    return out;
  }

  // ---- [ts] fallback for models that stream no Responses events (agents.md §2.4) ----

  #fallbackDelta(itemId: string | undefined, delta: string): ThreadStreamEvent[] {
    const out: ThreadStreamEvent[] = [];
    let message = this.#fallback;
    if (!message) {
      const context = this.#context;
      if (context.workflowItem) out.push(this.#autoEnd(context.workflowItem));
      message = { id: itemId ?? context.generateId("message"), createdAt: now(), text: "" };
      this.#fallback = message;
      this.producedItems.add(message.id);
      out.push({ type: "thread.item.added", item: this.#assistant(message.id, message.createdAt, []) });
      out.push(
        this.#updated(message.id, {
          type: "assistant_message.content_part.added",
          content_index: 0,
          content: { type: "output_text", text: "", annotations: [] },
        }),
      );
    }
    message.text += delta;
    out.push(this.#updated(message.id, { type: "assistant_message.content_part.text_delta", content_index: 0, delta }));
    return out;
  }

  async #fallbackDone(response: unknown): Promise<ThreadStreamEvent[]> {
    const out: ThreadStreamEvent[] = [];
    const context = this.#context;
    let open = this.#fallback;
    this.#fallback = undefined;
    const output = isRecord(response) ? list(response.output) : [];
    for (const item of output) {
      if (!isRecord(item) || item.type !== "message" || item.role !== "assistant") continue;
      const content: AssistantMessageContent[] = [];
      for (const part of list(item.content)) {
        if (!isRecord(part)) continue;
        if (part.type === "output_text") {
          const providerData = isRecord(part.providerData) ? part.providerData : {};
          content.push({ type: "output_text", text: str(part.text), annotations: await this.#annotations(providerData.annotations) });
        } else if (part.type === "refusal") {
          content.push({ type: "output_text", text: str(part.refusal), annotations: [] });
        }
      }
      let id: string;
      let createdAt: string;
      if (open) {
        ({ id, createdAt } = open);
        open = undefined;
      } else {
        if (context.workflowItem) out.push(this.#autoEnd(context.workflowItem));
        id = optStr(item.id) ?? context.generateId("message");
        createdAt = now();
        this.producedItems.add(id);
        out.push({ type: "thread.item.added", item: this.#assistant(id, createdAt, []) });
      }
      out.push({ type: "thread.item.done", item: this.#assistant(id, createdAt, content) });
    }
    if (open) {
      // Text streamed but the response holds no assistant message: finish with what was shown.
      const content: AssistantMessageContent[] = [{ type: "output_text", text: open.text, annotations: [] }];
      out.push({ type: "thread.item.done", item: this.#assistant(open.id, open.createdAt, content) });
    }
    return out;
  }
}
