import { simulateReadableStream } from "ai";
import { MockLanguageModelV3 } from "ai/test";

type StreamResult = Awaited<ReturnType<MockLanguageModelV3["doStream"]>>;
/** One part a model streams (`LanguageModelV3StreamPart`). */
export type Chunk = StreamResult["stream"] extends ReadableStream<infer C> ? C : never;
export type CallOptions = Parameters<MockLanguageModelV3["doStream"]>[0];

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

// ---- chunks ----

export const text = (id: string, ...deltas: string[]): Chunk[] => [
  { type: "text-start", id },
  ...deltas.map((delta): Chunk => ({ type: "text-delta", id, delta })),
  { type: "text-end", id },
];
export const reasoning = (id: string, ...deltas: string[]): Chunk[] => [
  { type: "reasoning-start", id },
  ...deltas.map((delta): Chunk => ({ type: "reasoning-delta", id, delta })),
  { type: "reasoning-end", id },
];
export const toolCall = (toolCallId: string, toolName: string, input: unknown): Chunk => ({
  type: "tool-call",
  toolCallId,
  toolName,
  input: JSON.stringify(input),
});
export const urlSource = (id: string, url: string, title?: string): Chunk => ({
  type: "source",
  sourceType: "url",
  id,
  url,
  ...(title === undefined ? {} : { title }),
});
export const documentSource = (id: string, title: string, filename?: string): Chunk => ({
  type: "source",
  sourceType: "document",
  id,
  mediaType: "application/pdf",
  title,
  ...(filename === undefined ? {} : { filename }),
});
export const file = (mediaType: string, data: string): Chunk => ({ type: "file", mediaType, data });
export const finish = (reason: "stop" | "tool-calls" | "error" = "stop"): Chunk => ({
  type: "finish",
  finishReason: { unified: reason, raw: reason },
  usage,
});

/** One model call: its chunks, ending with `finish` (tool calls → `tool-calls`) unless one is given. */
export function step(...parts: Array<Chunk | Chunk[]>): Chunk[] {
  const chunks = parts.flat();
  if (chunks.some((chunk) => chunk.type === "finish")) return chunks;
  return [...chunks, finish(chunks.some((chunk) => chunk.type === "tool-call") ? "tool-calls" : "stop")];
}

export interface StepScript {
  chunks: Chunk[];
  /** Before chunk `at`, the stream waits until the call's `abortSignal` aborts, then fails with its reason (as `fetch` does). */
  hangAt?: number;
  /** Before chunk `at`, the stream fails with `error` (a dropped connection). */
  failAt?: { at: number; error: unknown };
}

/**
 * A mock model that streams one scripted step per call, and records each call's options (the
 * prompt, the abort signal).
 */
export class ScriptedModel extends MockLanguageModelV3 {
  /** Resolves when a call's stream reaches its `hangAt` point. */
  readonly hung: Promise<CallOptions>;

  constructor(steps: Array<Chunk[] | StepScript>) {
    let reachedHang!: (options: CallOptions) => void;
    const hung = new Promise<CallOptions>((resolve) => (reachedHang = resolve));
    let calls = 0;
    super({
      doStream: async (options) => {
        const index = calls++;
        const script = steps[index];
        if (!script) throw new Error(`ScriptedModel: no step ${index + 1}`);
        if (Array.isArray(script)) return { stream: simulateReadableStream({ chunks: script, initialDelayInMs: null, chunkDelayInMs: null }) };
        const { chunks, hangAt, failAt } = script;
        let next = 0;
        const stream = new ReadableStream<Chunk>({
          async pull(controller) {
            if (next === hangAt) {
              reachedHang(options);
              const signal = options.abortSignal;
              await new Promise<void>((resolve) => {
                if (!signal) return; // never given a signal: hangs forever
                if (signal.aborted) resolve();
                signal.addEventListener("abort", () => resolve(), { once: true });
              });
              controller.error(signal!.reason);
              return;
            }
            if (next === failAt?.at) {
              controller.error(failAt.error);
              return;
            }
            const chunk = chunks[next++];
            if (chunk) controller.enqueue(chunk);
            else controller.close();
          },
        });
        return { stream };
      },
    });
    this.hung = hung;
  }

  /** The prompt of call `n` (0-based). */
  prompt(n: number) {
    const call = this.doStreamCalls[n];
    if (!call) throw new Error(`ScriptedModel: no call ${n + 1}`);
    return call.prompt;
  }
}
