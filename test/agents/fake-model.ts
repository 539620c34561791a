/**
 * Test helpers for the agents integration: a scripted run event source, raw Responses events,
 * and `responsesTurn`, one scripted `ScriptedModel` call shaped like `OpenAIResponsesModel`'s
 * output. Nothing here calls a model API.
 */
import {
  Agent,
  RunItemStreamEvent,
  RunRawModelStreamEvent,
  RunToolCallItem,
  type AgentOutputItem,
  type RunStreamEvent,
  type protocol,
} from "@openai/agents";
import { modelStream } from "@openai/agents/testing";

export { ScriptedModel, modelStream, modelResponse, assistantMessage, functionCall } from "@openai/agents/testing";

/** A raw snake_case Responses event. */
export type ResponsesEvent = { type: string; [key: string]: unknown };

/** Wraps a raw Responses event as the SDK does (source `openai-responses`). */
export function responsesEvent(event: ResponsesEvent): RunRawModelStreamEvent {
  return new RunRawModelStreamEvent(
    { type: "model", event, providerData: { rawModelEventSource: "openai-responses" } },
    "openai-responses",
  );
}

const toolAgent = new Agent({ name: "tools" });

/** A `tool_called` run item for a function call or a hosted call. */
export function toolCalled(rawItem: protocol.ToolCallItem): RunItemStreamEvent {
  return new RunItemStreamEvent("tool_called", new RunToolCallItem(rawItem, toolAgent));
}

/** Python's `make_result()`: run events pushed by hand; `cancel()` mimics an aborted run. */
export class ScriptedRun implements AsyncIterable<RunStreamEvent> {
  #controller!: ReadableStreamDefaultController<RunStreamEvent>;
  #cancelled = false;
  readonly #stream = new ReadableStream<RunStreamEvent>({
    start: (controller) => {
      this.#controller = controller;
    },
    cancel: () => {
      this.#cancelled = true;
    },
  });

  get cancelled(): boolean {
    return this.#cancelled;
  }

  push(...events: RunStreamEvent[]): void {
    for (const event of events) this.#controller.enqueue(event);
  }
  done(): void {
    this.#controller.close();
  }
  fail(error: unknown): void {
    this.#controller.error(error);
  }
  cancel(): void {
    this.#cancelled = true;
    this.#controller.close();
  }
  toStream(): ReadableStream<RunStreamEvent> {
    return this.#stream;
  }
  [Symbol.asyncIterator](): AsyncIterator<RunStreamEvent> {
    return this.#stream[Symbol.asyncIterator]();
  }
}

/** A plain async iterable run (no `toStream`), to exercise the iterator path. */
export function iterableRun(events: RunStreamEvent[]): AsyncIterable<RunStreamEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* events;
    },
  };
}

let responseCounter = 0;

type StreamEvent = Parameters<typeof modelStream>[0] extends Iterable<infer E> | AsyncIterable<infer E> ? E : never;

/** The protocol item the runner acts on for a Responses output item (agents.md §4.2). */
function outputItemOf(item: Record<string, any>): AgentOutputItem | undefined {
  switch (item.type) {
    case "message":
      return {
        type: "message",
        role: "assistant",
        id: item.id,
        status: "completed",
        content: (item.content ?? []).map((part: Record<string, any>) =>
          part.type === "refusal"
            ? { type: "refusal", refusal: part.refusal }
            : { type: "output_text", text: part.text, providerData: { annotations: part.annotations ?? [] } },
        ),
      };
    case "function_call":
      return {
        type: "function_call",
        id: item.id,
        callId: item.call_id,
        name: item.name,
        arguments: item.arguments,
        status: "completed",
      };
    case "reasoning":
      return {
        type: "reasoning",
        id: item.id,
        content: (item.summary ?? []).map((s: { text: string }) => ({ type: "input_text", text: s.text })),
      };
    case "image_generation_call":
      return { type: "hosted_tool_call", name: "image_generation_call", id: item.id, status: "completed", providerData: item };
    default:
      return undefined;
  }
}

export interface ResponsesTurnOptions {
  responseId?: string;
  output?: AgentOutputItem[];
  /** Default true: a normalized `output_text_delta` before each raw text delta, as the real model. */
  mirrorTextDeltas?: boolean;
  /** Awaited before the raw event at that index is emitted (to pause a stream mid-way). */
  pauseBefore?: Record<number, () => Promise<void>>;
}

/** The normalized and raw events of one Responses model call, ending in `response_done`. */
export async function* responsesTurnEvents(
  events: ResponsesEvent[],
  options: ResponsesTurnOptions = {},
): AsyncGenerator<StreamEvent> {
  const id = options.responseId ?? `resp_${++responseCounter}`;
  const raw = (event: ResponsesEvent): StreamEvent => ({
    type: "model",
    event,
    providerData: { rawModelEventSource: "openai-responses" },
  });
  yield { type: "response_started" };
  yield raw({ type: "response.created", response: { id } });
  for (const [index, event] of events.entries()) {
    await options.pauseBefore?.[index]?.();
    if (event.type === "response.output_text.delta" && options.mirrorTextDeltas !== false) {
      yield { type: "output_text_delta", delta: String(event.delta), itemId: String(event.item_id) } as StreamEvent;
    }
    yield raw(event);
  }
  const output =
    options.output ??
    events
      .filter((event) => event.type === "response.output_item.done")
      .map((event) => outputItemOf(event.item as Record<string, any>))
      .filter((item): item is AgentOutputItem => item !== undefined);
  yield {
    type: "response_done",
    response: { id, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, output },
  } as StreamEvent;
}

/** One scripted model call for `ScriptedModel`, shaped like `OpenAIResponsesModel`'s output. */
export function responsesTurn(events: ResponsesEvent[], options: ResponsesTurnOptions = {}) {
  return modelStream(responsesTurnEvents(events, options));
}

// ---- raw Responses event builders ----

export const messageAdded = (id: string): ResponsesEvent => ({
  type: "response.output_item.added",
  output_index: 0,
  item: { type: "message", id, role: "assistant", status: "in_progress", content: [] },
});
export const partAdded = (itemId: string, contentIndex = 0): ResponsesEvent => ({
  type: "response.content_part.added",
  item_id: itemId,
  output_index: 0,
  content_index: contentIndex,
  part: { type: "output_text", text: "", annotations: [] },
});
export const textDelta = (itemId: string, delta: string, contentIndex = 0): ResponsesEvent => ({
  type: "response.output_text.delta",
  item_id: itemId,
  output_index: 0,
  content_index: contentIndex,
  delta,
  logprobs: [],
});
export const textDone = (itemId: string, text: string, contentIndex = 0): ResponsesEvent => ({
  type: "response.output_text.done",
  item_id: itemId,
  output_index: 0,
  content_index: contentIndex,
  text,
  logprobs: [],
});
export const annotationAdded = (itemId: string, annotation: unknown, annotationIndex = 0, contentIndex = 0): ResponsesEvent => ({
  type: "response.output_text.annotation.added",
  item_id: itemId,
  output_index: 0,
  content_index: contentIndex,
  annotation_index: annotationIndex,
  annotation,
});
export const messageDone = (id: string, content: unknown[]): ResponsesEvent => ({
  type: "response.output_item.done",
  output_index: 0,
  item: { type: "message", id, role: "assistant", status: "completed", content },
});
export const outputText = (text: string, annotations: unknown[] = []) => ({ type: "output_text", text, annotations });
export const reasoningAdded = (id: string): ResponsesEvent => ({
  type: "response.output_item.added",
  output_index: 0,
  item: { type: "reasoning", id, summary: [] },
});
export const reasoningDone = (id: string, summary: string[]): ResponsesEvent => ({
  type: "response.output_item.done",
  output_index: 0,
  item: { type: "reasoning", id, summary: summary.map((text) => ({ type: "summary_text", text })) },
});
export const summaryDelta = (itemId: string, delta: string, summaryIndex = 0): ResponsesEvent => ({
  type: "response.reasoning_summary_text.delta",
  item_id: itemId,
  output_index: 0,
  summary_index: summaryIndex,
  delta,
});
export const summaryDone = (itemId: string, text: string, summaryIndex = 0): ResponsesEvent => ({
  type: "response.reasoning_summary_text.done",
  item_id: itemId,
  output_index: 0,
  summary_index: summaryIndex,
  text,
});
export const functionCallDone = (name: string, args: string, callId: string, id: string): ResponsesEvent => ({
  type: "response.output_item.done",
  output_index: 0,
  item: { type: "function_call", id, call_id: callId, name, arguments: args, status: "completed" },
});
export const urlCitation = (url: string, title: string, endIndex: number) => ({
  type: "url_citation",
  url,
  title,
  start_index: 0,
  end_index: endIndex,
});
export const fileCitation = (filename: string, index: number) => ({ type: "file_citation", file_id: "file_1", filename, index });
export const containerCitation = (filename: string, endIndex: number) => ({
  type: "container_file_citation",
  container_id: "cntr_1",
  file_id: "file_1",
  filename,
  start_index: 0,
  end_index: endIndex,
});
