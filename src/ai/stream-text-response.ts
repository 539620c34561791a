import type { GeneratedFile, TextStreamPart, ToolSet } from "ai";
import type { Source, Store, ThreadMetadata, ThreadStreamEvent } from "../index.js";
import { defaultConvertSource } from "./sources.js";
import { TextResponseStream } from "./text-response-stream.js";
import { TextStreamMapper, type StreamSource, type StreamToolCall, type StreamToolResult, type ToolTask, type ToolWidget } from "./text-stream-mapper.js";

/**
 * What `streamTextResponse` reads: the result of `streamText(...)` (or of an `Agent`'s
 * `stream(...)`), or anything with a `stream` (AI SDK 7) or `fullStream` (AI SDK 6, deprecated
 * in 7) of the same parts.
 */
export type TextStreamSource<TOOLS extends ToolSet = ToolSet> =
  | { readonly stream: AsyncIterable<TextStreamPart<TOOLS>> }
  | { readonly fullStream: AsyncIterable<TextStreamPart<TOOLS>> };

/** The parts of `result`: its `stream` where it has one (AI SDK 7), else its `fullStream`. */
const partsOf = <TOOLS extends ToolSet>(result: TextStreamSource<TOOLS>): AsyncIterable<TextStreamPart<TOOLS>> =>
  "stream" in result && result.stream ? result.stream : (result as { fullStream: AsyncIterable<TextStreamPart<TOOLS>> }).fullStream;

/** Options of `streamTextResponse`. */
export interface StreamTextResponseOptions<TOOLS extends ToolSet = ToolSet, TContext = unknown> {
  /** The server's store (`this.store`): item ids come from it, and a paused workflow is kept in it. */
  store: Store<TContext>;
  /** The request context `respond` received. */
  context: TContext;
  /**
   * Stops reading at once when this aborts (pass `turn.signal`), even if the model call was not
   * given it. Passing `turn.signal` to `streamText` as `abortSignal` is what stops the provider
   * request itself.
   */
  signal?: AbortSignal;
  /**
   * How a tool call shows while it runs: by default a task of the open workflow titled with the
   * tool's title or name, loading until the result arrives. Return your own task (its status is
   * managed for you), `null` to hide a call, or pass `false` to hide them all.
   */
  toolTask?: false | ((call: StreamToolCall<TOOLS>) => ToolTask | null | undefined);
  /**
   * A widget to show for a tool's result (a root, or successive frames of one), after the step
   * that ran the tool. Return nothing to show none.
   */
  toolWidget?: (result: StreamToolResult<TOOLS>) => ToolWidget | PromiseLike<ToolWidget>;
  /**
   * The source of an annotation for a source the model cited; `null` drops it. By default a URL
   * source stays a URL source and a document becomes a file source.
   */
  convertSource?: (source: StreamSource) => Source | null | undefined;
  /**
   * The URL stored for a generated image. Default: a `data:` URL of its bytes. Upload the bytes
   * and return their URL to keep base64 out of your store.
   */
  imageUrl?: (file: GeneratedFile, imageId: string) => string | PromiseLike<string>;
}

const defaultToolTask = (call: { toolName: string; title?: string }): ToolTask => ({ type: "custom", title: call.title ?? call.toolName });

const dataUrl = (file: GeneratedFile) => `data:${file.mediaType};base64,${file.base64}`;

/**
 * Streams an AI SDK `streamText` result (its full stream of parts) as ChatKit events, all steps
 * of a multi-step run in one turn:
 *
 * - each text block is an assistant message (deltas, then its final text), its cited sources
 *   annotations;
 * - reasoning is a reasoning workflow of streamed thoughts, ended with its duration when the
 *   answer starts; tool calls are tasks of the open workflow (see `toolTask`), tool results can
 *   show widgets (`toolWidget`);
 * - generated images are `generated_image` items;
 * - a tool without `execute` pauses the turn with a pending `client_tool_call`; the client's
 *   `threads.add_client_tool_output` starts the next turn, whose model input (`toModelMessages`)
 *   holds the call and its output.
 *
 * A provider error is thrown (ChatKitServer turns it into an `error` event); the message being
 * written stays pending. Cancellation (`signal` aborted, or the model call aborted) throws the
 * abort reason, which ChatKitServer treats as the cancellation it started: the partial answer is
 * kept and a note tells the model next turn.
 *
 * ```ts
 * const result = streamText({ model, messages: await toModelMessages(items), abortSignal: turn.signal });
 * yield* streamTextResponse(thread, result, { store: this.store, context });
 * ```
 */
export function streamTextResponse<TOOLS extends ToolSet, TContext>(
  thread: ThreadMetadata,
  result: TextStreamSource<TOOLS>,
  options: StreamTextResponseOptions<TOOLS, TContext>,
): AsyncGenerator<ThreadStreamEvent, void, undefined> {
  const mapper = new TextStreamMapper<TOOLS, TContext>(thread, {
    store: options.store,
    context: options.context,
    toolTask: options.toolTask ?? defaultToolTask,
    toolWidget: options.toolWidget,
    convertSource: options.convertSource ?? defaultConvertSource,
    imageUrl: options.imageUrl ?? dataUrl,
  });
  return new TextResponseStream(mapper, partsOf(result), options.signal);
}
